import { request, type ClientRequest } from "node:http";
import type { BenchSuite } from "./bench-suite";
import { startBenchServer, type BenchServer } from "./server-process";

const TOGGLES = 20;
const COUNTS = (process.env.PROPAGATION_STREAMS ?? "1,100,1000,5000").split(",").map(Number);

interface Stream {
  request: ClientRequest;
  /** Receive time (ms, performance.now) of each patch, in order. */
  patches: number[];
}

function openStream(server: BenchServer, token: string, onPatch: () => void): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const stream: Stream = { request: undefined as never, patches: [] };
    const url = new URL(`${server.url}/api/sdk/stream`);
    stream.request = request(
      { host: url.hostname, port: url.port, path: url.pathname, agent: false, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let buffer = "";
        let gotPut = false;
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith("event: put") && !gotPut) {
              gotPut = true;
              resolve(stream);
            } else if (block.startsWith("event: patch")) {
              stream.patches.push(performance.now());
              onPatch();
            }
          }
        });
      },
    );
    stream.request.on("error", reject);
    stream.request.end();
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function measure(count: number, port: number): Promise<string> {
  const server = await startBenchServer(port);
  try {
    await server.api("POST", "/api/flags", { key: "propagated" });
    const token = String((await server.api("POST", "/api/tokens", { name: "bench", kind: "server", environment: "production" })).token);
    await new Promise((r) => setTimeout(r, 500));
    const before = await server.memoryAfterGc();
    let received = 0;
    let waiting: (() => void) | undefined;
    const streams: Stream[] = [];
    for (let i = 0; i < count; i += 200) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(200, count - i) }, () =>
          openStream(server, token, () => {
            received++;
            waiting?.();
          }),
        ),
      );
      streams.push(...batch);
    }
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await server.memoryAfterGc();
    const latencies: number[] = [];
    const worstPerToggle: number[] = [];
    for (let toggle = 0; toggle < TOGGLES; toggle++) {
      const target = count * (toggle + 1);
      const done = new Promise<void>((resolve) => {
        waiting = () => received >= target && resolve();
      });
      const started = performance.now();
      await server.api("PATCH", "/api/flags/propagated/environments/production", { enabled: toggle % 2 === 0 });
      await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
      const these = streams.map((s) => (s.patches[toggle] ?? Number.POSITIVE_INFINITY) - started);
      latencies.push(...these);
      worstPerToggle.push(Math.max(...these));
    }
    for (const s of streams) s.request.destroy();
    latencies.sort((a, b) => a - b);
    const perStream = (bytes: number) => (count >= 100 ? (bytes / count / 1024).toFixed(1).padStart(5) : "    -");
    return (
      `${String(count).padStart(6)} streams  p50 ${percentile(latencies, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(latencies, 99).toFixed(1).padStart(7)} ms  ` +
      `max ${(latencies.at(-1) ?? Number.NaN).toFixed(1).padStart(7)} ms  server heap/stream ${perStream(after.heapBytes - before.heapBytes)} KB`
    );
  } finally {
    await server.stop();
  }
}

export const propagationBench: BenchSuite = {
  name: "propagation",
  description: `a flag toggled ${TOGGLES} times through the admin API; time until every SDK stream saw each change (latency includes the admin write). Targets: p99 ≤ 50 ms at 1,000 streams, ≤ 250 ms at 10,000; ≤ 10 KB per stream`,
  async run() {
    for (const [i, count] of COUNTS.entries()) console.log(await measure(count, 4500 + i));
  },
};
