import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServerProcess, type ServerProcess } from "./server-process";

const ADMIN = "sy_admin_e2e_openfeature_token_01";

/** The same flags for every OpenFeature scenario: one of each value type, a rule, a rollout, names and metadata. */
const FLAGS: Array<{ key: string; variations?: unknown[]; metadata?: Record<string, unknown>; config: Record<string, unknown> }> = [
  { key: "dark-mode", config: { enabled: true, fallthrough: { variation: 0 } } },
  {
    key: "banner-text",
    variations: [
      { name: "hello", value: "Hello" },
      { name: "welcome-back", value: "Welcome back" },
    ],
    config: {
      enabled: true,
      rules: [{ id: "pro", conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variation: 1 } }],
      fallthrough: { variation: 0 },
    },
  },
  {
    key: "page-size",
    variations: [
      { name: "small", value: 10 },
      { name: "large", value: 25 },
    ],
    metadata: { owner: "search", ticket: 42 },
    config: { enabled: true, fallthrough: { variation: "large" } },
  },
  { key: "theme", variations: [{ color: "blue" }, { color: "green" }], config: { enabled: true, fallthrough: { variation: 0 } } },
  { key: "new-search", config: { enabled: true, fallthrough: { rollout: { weights: [50_000, 50_000] } } } },
];

export interface OpenFeatureServer {
  server: ServerProcess;
  serverToken: string;
  clientToken: string;
  /** An admin API call; throws on a non-2xx answer. */
  api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The real server process on a fresh embedded database, with FLAGS in production and a server and a client token. */
export async function startOpenFeatureServer(tokenPrefix: string): Promise<OpenFeatureServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "switchyard-openfeature-e2e-"));
  const server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false" });
  const api: OpenFeatureServer["api"] = async (method, path, body) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  for (const flag of FLAGS) {
    const { config: _config, ...fields } = flag;
    await api("POST", "/api/flags", fields);
    await api("PUT", `/api/flags/${flag.key}/environments/production`, flag.config);
  }
  const serverToken = String(
    (await api("POST", "/api/tokens", { name: `${tokenPrefix}-service`, kind: "server", environment: "production" })).token,
  );
  const clientToken = String(
    (await api("POST", "/api/tokens", { name: `${tokenPrefix}-web`, kind: "client", environment: "production" })).token,
  );
  return {
    server,
    serverToken,
    clientToken,
    api,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
