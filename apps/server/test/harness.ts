import pino from "pino";
import { inject } from "vitest";
import type { createApp } from "../src/app";
import type { ChangeBus } from "../src/live/bus/change-bus";
import type { Config } from "../src/config";
import type { DeployWorker, DeployWorkerOptions } from "../src/deploys/deploy-worker";
import type { PrometheusSource } from "../src/deploys/prometheus";
import type { RehearsalTiming } from "../src/rehearsals/rehearsal-runner";
import { createServer } from "../src/server";
import type { LiveState } from "../src/live/live-state";
import type { Database, DatabaseOptions } from "../src/store/database";
import type { StreamHub } from "../src/live/hub";
import { createScratchDatabase } from "../../../test/support/scratch-database";

export type BackendName = "embedded" | "postgres";

/** Both storage backends run the same suites; postgres only where a real server is available. */
export function backends(): Array<{ name: BackendName; skip: boolean }> {
  return [
    { name: "embedded", skip: false },
    { name: "postgres", skip: inject("postgresUrl") === null },
  ];
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
}

export interface TestServer {
  adminToken: string;
  database: Database;
  live: LiveState;
  hub: StreamHub;
  /** Ticks only when `deployWorker` options were given; tests may call `tick()` themselves. */
  deployWorker: DeployWorker;
  app: ReturnType<typeof createApp>;
  request(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<TestResponse>;
  /** Creates a token through the API and returns its secret (a relay token gets `[environment]`). */
  token(kind: "admin" | "server" | "client" | "deploy" | "relay", environment?: string): Promise<string>;
  close(): Promise<void>;
}

export const ADMIN_TOKEN = "sy_admin_test_0123456789abcdef0123";

export async function startTestServer(
  backend: BackendName,
  options: {
    demo?: boolean;
    postgresUrl?: string;
    bus?: ChangeBus;
    heartbeatMs?: number;
    deployWorker?: DeployWorkerOptions;
    rehearsals?: RehearsalTiming;
    prometheus?: PrometheusSource;
    logger?: pino.Logger;
  } = {},
): Promise<TestServer> {
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let database: DatabaseOptions;
  if (backend === "postgres") {
    if (options.postgresUrl) database = { kind: "postgres", url: options.postgresUrl };
    else {
      scratch = await createScratchDatabase();
      database = { kind: "postgres", url: scratch.url };
    }
  } else {
    database = { kind: "embedded", dataDir: undefined };
  }
  const config: Config = {
    port: 0,
    host: "127.0.0.1",
    databaseUrl: undefined,
    redisUrl: undefined,
    prometheusUrl: undefined,
    dataDir: "",
    adminToken: ADMIN_TOKEN,
    demo: options.demo ?? false,
    logLevel: "silent",
  };
  // The same wiring as the bin, driven by hand: no background work unless a test asks for it.
  const server = await createServer(config, {
    database,
    logger: options.logger ?? pino({ level: "silent" }),
    bus: options.bus,
    prometheus: options.prometheus,
    heartbeatMs: options.heartbeatMs,
    deployWorker: options.deployWorker,
    ...(options.rehearsals === undefined ? {} : { rehearsals: options.rehearsals }),
    background: {
      catchUpIntervalMs: options.bus ? 60_000 : false,
      deployWorker: options.deployWorker !== undefined,
      webhooks: false,
      telemetryRetention: false,
    },
  });
  const { app, live, hub, deployWorker } = server;

  const request: TestServer["request"] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] = "application/json";
    }
    const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };

  return {
    adminToken: ADMIN_TOKEN,
    database: server.database,
    live,
    hub,
    deployWorker,
    app,
    request,
    async token(kind, environment) {
      const res = await request("POST", "/api/tokens", {
        body: {
          name: `${kind} test token`,
          kind,
          ...(environment === undefined ? {} : kind === "relay" ? { environments: [environment] } : { environment }),
        },
      });
      if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token;
    },
    async close() {
      await server.close();
      await scratch?.drop();
    },
  };
}
