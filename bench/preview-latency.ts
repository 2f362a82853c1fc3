import type { BenchSuite } from "./bench-suite";
import { benchBackends, startBenchServer } from "./server-process";

const SEEN_CONTEXTS = 10_000;
const PREVIEWS = 30;
const TARGET_MS = 50;
const path = "/api/flags/new-checkout/environments/production";
const config = (on: number) => ({
  enabled: true,
  rules: [{ id: "pro", conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variation: 0 } }],
  fallthrough: { rollout: { weights: [on, 100_000 - on] } },
});

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/**
 * `POST …/preview` of a 10 % → 50 % rollout over a full sample (10,000 seen contexts, sent as
 * Node SDK metrics reports): the server validates the change, takes the sample (from the
 * database for the first preview, then from what the replica keeps for a minute), evaluates
 * every context before and after, and answers. Sequential requests from another process, so this is
 * the latency a user of the CLI sees, not a throughput.
 */
export const previewLatencyBench: BenchSuite = {
  name: "preview-latency",
  description: `POST …/preview over ${SEEN_CONTEXTS.toLocaleString("en")} seen contexts (target ≤ ${TARGET_MS} ms)`,
  async run() {
    for (const [index, backend] of (await benchBackends()).entries()) {
      const server = await startBenchServer(4700 + index, backend.env);
      try {
        await server.api("POST", "/api/flags", { key: "new-checkout" });
        await server.api("PUT", path, config(10_000));
        const token = String((await server.api("POST", "/api/tokens", { name: "bench", kind: "server", environment: "production" })).token);
        for (let part = 0; part < SEEN_CONTEXTS / 1_000; part++) {
          const contexts = Array.from({ length: 1_000 }, (_, i) => {
            const n = part * 1_000 + i;
            return {
              context: { key: `user-${n}`, plan: n % 4 === 0 ? "pro" : "free", email: `user-${n}@example.com` },
              count: 1 + (n % 7),
            };
          });
          const res = await fetch(`${server.url}/api/sdk/metrics`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}` },
            body: JSON.stringify({ instanceId: `bench-${part}`, contexts }),
          });
          if (res.status !== 202) throw new Error(`metrics: ${res.status} ${await res.text()}`);
        }
        // The first preview reads the sample from the database (and writes the buffered reports first); later ones reuse it.
        const firstStarted = performance.now();
        const first = await server.api("POST", `${path}/preview`, config(50_000));
        const firstMs = performance.now() - firstStarted;
        const contexts = first.contexts as { seen: number };
        const timings: number[] = [];
        for (let i = 0; i < PREVIEWS; i++) {
          const started = performance.now();
          await server.api("POST", `${path}/preview`, config(50_000));
          timings.push(performance.now() - started);
        }
        timings.sort((a, b) => a - b);
        const ms = (value: number) => `${value.toFixed(1)} ms`;
        console.log(
          `${backend.name}: ${contexts.seen} seen contexts; first preview (writes the buffered reports, reads the sample) ${ms(firstMs)}; ` +
            `then ${PREVIEWS} previews: p50 ${ms(quantile(timings, 0.5))}, p95 ${ms(quantile(timings, 0.95))}, ` +
            `max ${ms(timings.at(-1) ?? Number.NaN)} (target ≤ ${TARGET_MS} ms)`,
        );
      } finally {
        await server.stop();
        await backend.cleanup();
      }
    }
  },
};
