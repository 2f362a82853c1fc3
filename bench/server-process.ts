import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabaseOn } from "../test/support/postgres-scratch";
import { withOpenFiles } from "./open-files";

const root = fileURLToPath(new URL("..", import.meta.url));
export const BENCH_ADMIN = "sy_admin_bench_token_0123456789abcd";

/** What the bench server and the bench relay have alike: a Switchyard process with `GET /metrics`. */
export interface BenchProcess {
  url: string;
  child: ChildProcess;
  /** Heap in use and resident memory after a full collection (the process runs with --expose-gc); RSS is noisy, the heap is what the bench reports. */
  memoryAfterGc(): Promise<{ heapBytes: number; rssBytes: number }>;
  /** One gauge of `GET /metrics`, e.g. `switchyard_open_streams{kind="sdk"}`; NaN when absent. */
  gauge(series: string): Promise<number>;
  stop(): Promise<void>;
}

export interface BenchServer extends BenchProcess {
  api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
}

export type BenchRelay = BenchProcess;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const gaugeIn = (text: string, series: string) => Number(new RegExp(`^${escapeRegExp(series)} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);

/** Limits that would measure themselves: every bench client shares one token and 127.0.0.1. */
const UNLIMITED = {
  // Measures throughput from one token: the per-token limit would measure the limit.
  SWITCHYARD_TOKEN_REQUESTS_PER_SECOND: "1000000",
  SWITCHYARD_MAX_STREAMS_PER_TOKEN: "1000000",
  // Every bench client connects from 127.0.0.1: one address holding tens of thousands of streams.
  SWITCHYARD_MAX_STREAMS_PER_ADDRESS: "1000000",
};

interface ProcessOptions {
  /** The entry file, relative to the repository root. */
  entry: string;
  port: number;
  env: Record<string, string>;
  /** A soft `ulimit -n` to start it with (see open-files.ts); `undefined`: the inherited one. */
  openFiles: number | undefined;
  /** Answers true once the process serves what the bench needs; polled every 100 ms. */
  ready(url: string): Promise<boolean>;
  readyTimeoutMs: number;
  /** Removed after it stopped (its data directory). */
  dir: string | undefined;
}

/** A Switchyard process of this workspace, its own event loop, with `--expose-gc` for memory figures. */
async function startBenchProcess(options: ProcessOptions): Promise<BenchProcess> {
  const { command, args } = withOpenFiles(process.execPath, ["--expose-gc", "--import", "tsx", options.entry], options.openFiles);
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...options.env, PORT: String(options.port), LOG_LEVEL: "error" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise((r) => child.once("exit", r));
  const started: BenchProcess = {
    url,
    child,
    async memoryAfterGc() {
      const text = await (await fetch(`${url}/metrics?gc=1`)).text();
      return { heapBytes: gaugeIn(text, "nodejs_heap_used_bytes"), rssBytes: gaugeIn(text, "process_resident_memory_bytes") };
    },
    gauge: async (series) => gaugeIn(await (await fetch(`${url}/metrics`)).text(), series),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      // A process that does not end its streams within 10 s is killed: a bench leaves nothing running.
      const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(force);
      if (options.dir !== undefined) rmSync(options.dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + options.readyTimeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if (await options.ready(url)) return started;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const exitCode = child.exitCode;
  await started.stop();
  throw new Error(
    exitCode === null
      ? `${options.entry} on port ${options.port} did not become ready within ${options.readyTimeoutMs} ms`
      : `${options.entry} on port ${options.port} exited with code ${exitCode} before it was ready (its error is above)`,
  );
}

/** The real server in its own process (so the load generator does not share its event loop), on a fresh embedded database. */
export async function startBenchServer(
  port: number,
  env: Record<string, string> = {},
  openFiles: number | undefined = undefined,
): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  const started = await startBenchProcess({
    entry: "apps/server/src/main.ts",
    port,
    env: {
      SWITCHYARD_DATA_DIR: dir,
      ...env,
      SWITCHYARD_ADMIN_TOKEN: BENCH_ADMIN,
      SWITCHYARD_DEMO: "false",
      ...UNLIMITED,
    },
    openFiles,
    ready: async (url) => (await fetch(`${url}/healthz`)).ok,
    readyTimeoutMs: 30_000,
    dir,
  });
  const api: BenchServer["api"] = async (method, path, body) => {
    const res = await fetch(`${started.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${BENCH_ADMIN}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  return { ...started, api };
}

/**
 * switchyard-relay (apps/relay) in its own process, following `server` with `relayToken`. Ready
 * once it follows the server (`/readyz` says current) and already knows `sdkToken`, which it
 * learns from the server's token list about a second after the token was made.
 */
export async function startBenchRelay(options: {
  port: number;
  server: BenchServer;
  relayToken: string;
  relayId: string;
  sdkToken: string;
  openFiles?: number | undefined;
}): Promise<BenchRelay> {
  return startBenchProcess({
    entry: "apps/relay/src/main.ts",
    port: options.port,
    env: {
      SWITCHYARD_URL: options.server.url,
      SWITCHYARD_RELAY_TOKEN: options.relayToken,
      SWITCHYARD_RELAY_ID: options.relayId,
      SWITCHYARD_RELAY_BACKUP: "off",
      ...UNLIMITED,
    },
    openFiles: options.openFiles,
    async ready(url) {
      const readyz: unknown = await (await fetch(`${url}/readyz`)).json();
      if (typeof readyz !== "object" || readyz === null || Reflect.get(readyz, "status") !== "current") return false;
      const flags = await fetch(`${url}/api/sdk/flags`, { headers: { authorization: `Bearer ${options.sdkToken}` } });
      await flags.body?.cancel();
      return flags.ok;
    },
    readyTimeoutMs: 30_000,
    dir: undefined,
  });
}

/** A database for a bench server: what to add to its environment, and how to remove it after. */
export interface BenchBackend {
  name: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function embeddedBackend(): Promise<BenchBackend> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  return {
    name: "embedded (PGlite)",
    env: { SWITCHYARD_DATA_DIR: dir },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A scratch database on the PostgreSQL server of `base`, dropped by `cleanup`. */
async function postgresBackend(base: string): Promise<BenchBackend> {
  const scratch = await createDatabaseOn(base, "switchyard_bench");
  return { name: "PostgreSQL", env: { DATABASE_URL: scratch.url }, cleanup: () => scratch.drop() };
}

/** The embedded database always; PostgreSQL too when DATABASE_URL is set (and says so when it is not). */
export async function benchBackends(): Promise<BenchBackend[]> {
  const backends = [await embeddedBackend()];
  if (process.env.DATABASE_URL) backends.push(await postgresBackend(process.env.DATABASE_URL));
  else console.log("(PostgreSQL backend skipped: DATABASE_URL not set)");
  return backends;
}
