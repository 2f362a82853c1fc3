import { z } from "zod";
import { DEFAULT_CLIENT_RATE_LIMIT, DEFAULT_PUBLIC_LIMITS } from "./http/public-limits";

/**
 * Settings come from the environment, are parsed once at start, and every problem is listed at
 * once so an operator fixes them in one go (t3-env style).
 */
export const booleanSetting = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1");

export const portSetting = z.coerce
  .number({ message: "must be a number" })
  .int("must be an integer")
  .min(0, "must be between 0 and 65535")
  .max(65535, "must be between 0 and 65535");

/** What the server and a relay (apps/relay) both take: public limits and the log level. */
export const publicSettings = {
  SWITCHYARD_TRUST_PROXY: booleanSetting.default(false),
  SWITCHYARD_TOKEN_REQUESTS_PER_SECOND: z.coerce
    .number({ message: "must be a number" })
    .int("must be an integer")
    .min(1, "must be at least 1")
    .default(DEFAULT_CLIENT_RATE_LIMIT.requestsPerSecond),
  SWITCHYARD_MAX_STREAMS_PER_TOKEN: z.coerce
    .number({ message: "must be a number" })
    .int("must be an integer")
    .min(1, "must be at least 1")
    .default(DEFAULT_PUBLIC_LIMITS.maxStreamsPerToken),
  SWITCHYARD_MAX_STREAMS_PER_ADDRESS: z.coerce
    .number({ message: "must be a number" })
    .int("must be an integer")
    .min(1, "must be at least 1")
    .default(DEFAULT_PUBLIC_LIMITS.maxStreamsPerAddress),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
};

const configSchema = z.object({
  PORT: portSetting.default(4242),
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  PROMETHEUS_URL: z
    .string()
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), "must be an http:// or https:// URL (e.g. http://prometheus:9090)")
    .optional(),
  SWITCHYARD_DATA_DIR: z.string().min(1, "must not be empty").default(".switchyard"),
  // The admin token can do everything: it must be hard to guess (the generated ones have 32 random characters).
  SWITCHYARD_ADMIN_TOKEN: z
    .string()
    .min(32, "must be at least 32 characters")
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
  SWITCHYARD_DEMO: booleanSetting.optional(),
  ...publicSettings,
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** The Prometheus HTTP API deploy checks with a `query` read from. */
  prometheusUrl: string | undefined;
  dataDir: string;
  adminToken: string | undefined;
  /** Seed demo flags on a new database. Defaults to on for the embedded database only. */
  demo: boolean;
  logLevel: string;
  /** Stream caps and the proxy setting; each defaults to `DEFAULT_PUBLIC_LIMITS`. */
  trustProxy?: boolean;
  /** Per token on `/api/client/*` and `/ofrep/*`, with a burst of twice as many. */
  tokenRequestsPerSecond?: number;
  maxStreamsPerToken?: number;
  maxStreamsPerAddress?: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  // An empty variable means "not set": shells and compose files often export blanks.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    };
  }
  const s = parsed.data;
  return {
    ok: true,
    config: {
      port: s.PORT,
      host: s.HOST,
      databaseUrl: s.DATABASE_URL,
      redisUrl: s.REDIS_URL,
      prometheusUrl: s.PROMETHEUS_URL,
      dataDir: s.SWITCHYARD_DATA_DIR,
      adminToken: s.SWITCHYARD_ADMIN_TOKEN,
      demo: s.SWITCHYARD_DEMO ?? s.DATABASE_URL === undefined,
      logLevel: s.LOG_LEVEL,
      trustProxy: s.SWITCHYARD_TRUST_PROXY,
      tokenRequestsPerSecond: s.SWITCHYARD_TOKEN_REQUESTS_PER_SECOND,
      maxStreamsPerToken: s.SWITCHYARD_MAX_STREAMS_PER_TOKEN,
      maxStreamsPerAddress: s.SWITCHYARD_MAX_STREAMS_PER_ADDRESS,
    },
  };
}
