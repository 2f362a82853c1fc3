import { hostname } from "node:os";
import { z } from "zod";
import { portSetting, publicSettings } from "../../server/src/config";
import { instanceIdSchema } from "../../server/src/routes/sdk";

/** Settings from the environment, parsed once at start; every problem is listed at once. */
const relayConfigSchema = z.object({
  SWITCHYARD_URL: z
    .string({ message: "required: the Switchyard server's URL, e.g. https://flags.example.com" })
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), "must be an http:// or https:// URL"),
  SWITCHYARD_RELAY_TOKEN: z
    .string({ message: "required: a relay token (POST /api/tokens with kind 'relay')" })
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
  SWITCHYARD_RELAY_ID: instanceIdSchema.optional(),
  SWITCHYARD_RELAY_BACKUP: z.string().min(1).default("switchyard-relay-backup.json"),
  PORT: portSetting.default(4343),
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  ...publicSettings,
});

export interface RelayConfig {
  serverUrl: string;
  token: string;
  /** How the server names this relay in instance lists (default: the host name). */
  relayId: string;
  /** Where the last state is kept for a restart while the server is down; `undefined`: nowhere. */
  backupFile: string | undefined;
  port: number;
  host: string;
  logLevel: string;
  trustProxy: boolean;
  tokenRequestsPerSecond: number;
  maxStreamsPerToken: number;
  maxStreamsPerAddress: number;
}

export type RelayConfigResult = { ok: true; config: RelayConfig } | { ok: false; problems: string[] };

/** A host name as a relay id: the characters an instance id allows, at most 100. */
function defaultRelayId(): string {
  return (hostname().replace(/[^A-Za-z0-9._:-]/g, "-") || "relay").slice(0, 100);
}

export function parseRelayConfig(env: Record<string, string | undefined>): RelayConfigResult {
  // An empty variable means "not set", as for the server.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = relayConfigSchema.safeParse(present);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
  const s = parsed.data;
  return {
    ok: true,
    config: {
      serverUrl: s.SWITCHYARD_URL,
      token: s.SWITCHYARD_RELAY_TOKEN,
      relayId: s.SWITCHYARD_RELAY_ID ?? defaultRelayId(),
      backupFile: s.SWITCHYARD_RELAY_BACKUP === "off" ? undefined : s.SWITCHYARD_RELAY_BACKUP,
      port: s.PORT,
      host: s.HOST,
      logLevel: s.LOG_LEVEL,
      trustProxy: s.SWITCHYARD_TRUST_PROXY,
      tokenRequestsPerSecond: s.SWITCHYARD_TOKEN_REQUESTS_PER_SECOND,
      maxStreamsPerToken: s.SWITCHYARD_MAX_STREAMS_PER_TOKEN,
      maxStreamsPerAddress: s.SWITCHYARD_MAX_STREAMS_PER_ADDRESS,
    },
  };
}
