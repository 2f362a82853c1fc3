import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabaseOn } from "../test/support/postgres-scratch";

const root = fileURLToPath(new URL("..", import.meta.url));
export const BENCH_ADMIN = "sy_admin_bench_token_0123456789abcd";

export interface BenchServer {
  url: string;
  child: ChildProcess;
  /** Heap in use and resident memory after a full collection (the server runs with --expose-gc); RSS is noisy, the heap is what the bench reports. */
  memoryAfterGc(): Promise<{ heapBytes: number; rssBytes: number }>;
  api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The real server in its own process (so the load generator does not share its event loop), on a fresh embedded database. */
export async function startBenchServer(port: number, env: Record<string, string> = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "apps/server/src/main.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      SWITCHYARD_DATA_DIR: dir,
      ...env,
      PORT: String(port),
      LOG_LEVEL: "error",
      SWITCHYARD_ADMIN_TOKEN: BENCH_ADMIN,
      SWITCHYARD_DEMO: "false",
      // Measures throughput from one token: the per-token limit would measure the limit.
      SWITCHYARD_TOKEN_REQUESTS_PER_SECOND: "1000000",
      // Every bench client connects from 127.0.0.1: one address holding tens of thousands of streams.
      SWITCHYARD_MAX_STREAMS_PER_ADDRESS: "1000000",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const api: BenchServer["api"] = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${BENCH_ADMIN}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const server: BenchServer = {
    url,
    child,
    api,
    async memoryAfterGc() {
      const text = await (await fetch(`${url}/metrics?gc=1`)).text();
      const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
      return { heapBytes: gauge("nodejs_heap_used_bytes"), rssBytes: gauge("process_resident_memory_bytes") };
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return server;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("server did not start");
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
