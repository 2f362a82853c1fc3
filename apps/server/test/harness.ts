import pino from "pino";
import { inject } from "vitest";
import { createApp } from "../src/app";
import { DeployWorker, type DeployWorkerOptions } from "../src/deploys/deploy-worker";
import type { PrometheusSource } from "../src/deploys/prometheus";
import { prepareDatabase } from "../src/services/first-start";
import type { ChangeBus } from "../src/bus/change-bus";
import { LiveState } from "../src/services/live-state";
import { ObservedEnvironments } from "../src/services/observed-environments";
import { databaseInstanceTracker } from "../src/services/sdk-usage";
import { StreamHub } from "../src/stream/hub";
import { createScratchDatabase } from "../../../test/support/scratch-database";
import { openDatabase, type Database, type DatabaseOptions } from "../src/store/database";

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
  /** Creates a token through the API and returns its secret. */
  token(kind: "admin" | "server" | "client" | "deploy", environment?: string): Promise<string>;
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
    prometheus?: PrometheusSource;
    logger?: pino.Logger;
  } = {},
): Promise<TestServer> {
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let dbOptions: DatabaseOptions;
  if (backend === "postgres") {
    if (options.postgresUrl) dbOptions = { kind: "postgres", url: options.postgresUrl };
    else {
      scratch = await createScratchDatabase();
      dbOptions = { kind: "postgres", url: scratch.url };
    }
  } else {
    dbOptions = { kind: "embedded", dataDir: undefined };
  }
  const database = await openDatabase(dbOptions, async (db) => {
    await prepareDatabase(db, { adminToken: ADMIN_TOKEN, demo: options.demo ?? false });
  });
  const logger = options.logger ?? pino({ level: "silent" });
  const live = new LiveState(database.db, logger, options.bus);
  await live.load();
  if (options.bus) live.start({ catchUpIntervalMs: 60_000 });
  const observed = new ObservedEnvironments(database.db, logger);
  const hub = new StreamHub(database.db, live, logger, {
    instances: databaseInstanceTracker(database.db, logger),
    observed,
    heartbeatMs: options.heartbeatMs,
  });
  const app = createApp({ db: database.db, live, hub, observed, logger, ping: () => database.ping(), prometheus: options.prometheus });
  const deployWorker = new DeployWorker({ db: database.db, live }, logger, { ...options.deployWorker, prometheus: options.prometheus });
  if (options.deployWorker) deployWorker.start();

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
    database,
    live,
    hub,
    deployWorker,
    app,
    request,
    async token(kind, environment) {
      const res = await request("POST", "/api/tokens", {
        body: { name: `${kind} test token`, kind, ...(environment ? { environment } : {}) },
      });
      if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token;
    },
    async close() {
      await deployWorker.stop();
      hub.close();
      live.stop();
      await database.close();
      await scratch?.drop();
    },
  };
}
