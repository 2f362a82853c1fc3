import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchSuite } from "./bench-suite";
import { benchBackends } from "./server-process";

const root = fileURLToPath(new URL("..", import.meta.url));
const ADMIN = "sy_admin_bench_token_0123456789abcd";
const FLAG_COUNT = 100;
const CONNECTIONS = 50;
const DURATION_SECONDS = 10;
// The Unleash 7.5.1 frontend API, measured on this kind of machine (issue #2): 100 flags for a context.
const UNLEASH = { requestsPerSecond: 750, p99Ms: 135 };

async function startServer(env: Record<string, string>, port: number) {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      ...env,
      PORT: String(port),
      LOG_LEVEL: "error",
      SWITCHYARD_ADMIN_TOKEN: ADMIN,
      SWITCHYARD_DEMO: "false",
      // Measures throughput from one token: the per-token limit would measure the limit.
      SWITCHYARD_TOKEN_REQUESTS_PER_SECOND: "1000000",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child };
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("server did not start");
}

async function api(url: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** 100 flags like benchmark flag B: a two-condition rule, else a 25% rollout; returns a client token. */
export async function seed(url: string): Promise<string> {
  for (let i = 0; i < FLAG_COUNT; i++) {
    const key = `bench-flag-${i}`;
    await api(url, "POST", "/api/flags", { key });
    await api(url, "PUT", `/api/flags/${key}/environments/production`, {
      enabled: true,
      rules: [
        {
          conditions: [
            { attribute: "country", operator: "in", values: ["US", "CA", "GB", "DE", "FR", "NL", "SE", "NO", "DK", "FI"] },
            { attribute: "plan", operator: "in", values: ["enterprise"] },
          ],
          serve: { variation: 0 },
        },
      ],
      fallthrough: { rollout: { weights: [25_000, 75_000] } },
    });
  }
  const token = await api(url, "POST", "/api/tokens", { name: "bench", kind: "client", environment: "production" });
  return String(token.token);
}

async function load(url: string, token: string) {
  let n = 0;
  const result = await autocannon({
    url: `${url}/api/client/evaluate`,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    requests: [
      {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            context: { key: `user-${n++ % 100_000}`, country: n % 3 === 0 ? "DE" : "BR", plan: n % 5 === 0 ? "enterprise" : "free" },
          }),
        }),
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

export const httpEvaluateBench: BenchSuite = {
  name: "http-evaluate",
  description: `POST /api/client/evaluate, ${FLAG_COUNT} flags per context, ${CONNECTIONS} connections for ${DURATION_SECONDS}s (server in its own process)`,
  async run() {
    const backends = await benchBackends();
    const rows: string[] = [];
    for (const backend of backends) {
      const server = await startServer(backend.env, 4400 + rows.length);
      try {
        const token = await seed(server.url);
        await load(server.url, token); // warm-up run, discarded
        const r = await load(server.url, token);
        rows.push(
          `${backend.name.padEnd(20)} ${r.requestsPerSecond.toFixed(0).padStart(8)} req/s  p50 ${String(r.p50Ms).padStart(4)} ms  p99 ${String(r.p99Ms).padStart(4)} ms  errors ${r.errors}  ` +
            `(${(r.requestsPerSecond / UNLEASH.requestsPerSecond).toFixed(1)}x Unleash throughput)`,
        );
      } finally {
        server.child.kill("SIGTERM");
        await new Promise((r) => server.child.once("exit", r));
        await backend.cleanup();
      }
    }
    console.log(rows.join("\n"));
    console.log(
      `${"Unleash 7.5.1 (ref.)".padEnd(20)} ${String(UNLEASH.requestsPerSecond).padStart(8)} req/s  p99 ${UNLEASH.p99Ms} ms  (measured separately on this machine kind; target ≥ 5x, p99 ≤ 20 ms)`,
    );
  },
};
