import type { BenchSuite } from "./bench-suite";
import { printTable } from "./harness";
import { cpuSince } from "./process-cpu";
import { benchBackends, startBenchServer, type BenchServer } from "./server-process";

/** Reports per round: what 1,000 SDK instances behind one relay send in one reporting period. */
const INSTANCES = Number(process.env.RELAY_REPORTS_INSTANCES ?? 1_000);
const ROUNDS = 5;
/** Concurrent direct reports: SDKs report on their own timers, so the server takes many at once. */
const CONCURRENCY = 20;
const FLAGS = ["checkout", "search", "banner"];

interface Figures {
  backend: string;
  way: string;
  requests: number;
  /** Median over ROUNDS: wall milliseconds from the first request sent to the last answered. */
  wallMs: number;
  /** Median over ROUNDS: the server process's CPU milliseconds meanwhile. */
  serverCpuMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** One instance's report for a period: a few evaluations of each flag and two events. */
function report(instanceId: string, version: number) {
  return {
    instanceId,
    sdk: "switchyard-node/bench",
    version,
    evaluations: FLAGS.flatMap((flag) => [
      { flag, variation: 0, count: 40 },
      { flag, variation: 1, count: 10 },
    ]),
    events: [
      { event: "request", flag: "checkout", variation: 0, count: 40 },
      { event: "error", flag: "checkout", variation: 1, count: 1 },
    ],
  };
}

async function post(url: string, token: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (res.status !== 202) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** What a relay sends for the same reports: each instance once, the counts summed (apps/relay/src/forwarder.ts). */
function relayBatch(reports: ReturnType<typeof report>[]) {
  const sums = new Map<string, Record<string, unknown> & { count: number }>();
  const add = (key: string, entry: Record<string, unknown> & { count: number }) => {
    const known = sums.get(key);
    if (known) known.count += entry.count;
    else sums.set(key, { ...entry });
  };
  for (const r of reports) {
    for (const e of r.evaluations) add(`e ${e.flag} ${e.variation}`, { environment: "production", source: "server", ...e });
    for (const e of r.events) add(`v ${e.event} ${e.flag} ${e.variation}`, { environment: "production", source: "server", ...e });
  }
  const entries = [...sums.entries()];
  return {
    relayId: "bench-relay",
    instances: reports.map((r) => ({ environment: "production", instanceId: r.instanceId, sdk: r.sdk, version: r.version })),
    evaluations: entries.filter(([key]) => key.startsWith("e ")).map(([, entry]) => entry),
    events: entries.filter(([key]) => key.startsWith("v ")).map(([, entry]) => entry),
    streams: [],
  };
}

async function measure(server: BenchServer, send: () => Promise<void>): Promise<{ wallMs: number; serverCpuMs: number }> {
  const cpu = cpuSince([server.child.pid]);
  const started = performance.now();
  await send();
  return { wallMs: performance.now() - started, serverCpuMs: cpu()[0] ?? Number.NaN };
}

async function run(): Promise<void> {
  const rows: Figures[] = [];
  for (const backend of await benchBackends()) {
    const server = await startBenchServer(4900, backend.env);
    try {
      for (const key of FLAGS) await server.api("POST", "/api/flags", { key });
      const sdkToken = String(
        (await server.api("POST", "/api/tokens", { name: "bench", kind: "server", environment: "production" })).token,
      );
      const relayToken = String(
        (await server.api("POST", "/api/tokens", { name: "bench-relay", kind: "relay", environments: ["production"] })).token,
      );
      const { version } = (await (
        await fetch(`${server.url}/api/sdk/flags`, { headers: { authorization: `Bearer ${sdkToken}` } })
      ).json()) as {
        version: number;
      };
      const reports = Array.from({ length: INSTANCES }, (_, i) => report(`instance-${i}`, version));
      const direct = async () => {
        let next = 0;
        const worker = async () => {
          for (let i = next++; i < reports.length; i = next++) await post(server.url, sdkToken, "/api/sdk/metrics", reports[i]);
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      };
      const batched = () => post(server.url, relayToken, "/api/relay/reports", relayBatch(reports));
      // A warm-up round of each: the first requests compile the code paths.
      await direct();
      await batched();
      for (const [way, send, requests] of [
        [`${INSTANCES.toLocaleString("en")} reports, one request each, as SDKs send them directly`, direct, INSTANCES],
        ["the same, summed by a relay: one batch", batched, 1],
      ] as const) {
        const figures = [];
        for (let round = 0; round < ROUNDS; round++) figures.push(await measure(server, send));
        rows.push({
          backend: backend.name,
          way,
          requests,
          wallMs: median(figures.map((f) => f.wallMs)),
          serverCpuMs: median(figures.map((f) => f.serverCpuMs)),
        });
      }
    } finally {
      await server.stop();
      await backend.cleanup();
    }
  }
  printTable([
    ["database", "what reaches the server", "requests", "wall ms", "server CPU ms"],
    ...rows.map((r) => [r.backend, r.way, String(r.requests), r.wallMs.toFixed(0), r.serverCpuMs.toFixed(0)]),
  ]);
  console.log(
    `\nMedians of ${ROUNDS} rounds. Each report names its instance and served version and counts 3 flags × 2 variations and 2 events;` +
      ` direct reports are sent ${CONCURRENCY} at a time. The server records the same instances and the same sums both ways.`,
  );
}

export const relayReportsBench: BenchSuite = {
  name: "relay-reports",
  description: `what the server spends recording ${INSTANCES.toLocaleString("en")} SDK instances' metrics reports of one period: sent one by one, as SDKs connected directly send them (the baseline), against the one batch a relay sends for them`,
  run,
};
