import { createClient, type EvaluationContext, type FetchFunction, type SdkSnapshot } from "@switchyard/sdk-node";
import { B_COUNTRIES, FLAG_A, FLAG_B, type WorkloadUser } from "../workload";
import type { SdkPeer, SdkPeerFactory } from "./peer";
import { switchyardFlagA, switchyardFlagB } from "./switchyard-peer";

/*
 * The real Node SDK client, started from a `bootstrap` payload with streaming off, pointed at
 * the discard port on loopback. The SDK still polls once at start and, with metrics on,
 * reports on `close()`; the global fetch refuses port 9 outright ("bad port", no socket is
 * opened), and the SDK only logs that, to a logger that counts and swallows. The `fetch` option
 * is the global fetch, wrapped to count requests and their failures and to read the final
 * metrics report (which shows that the hot path did count the evaluations).
 */

const OFFLINE_URL = "http://127.0.0.1:9";

export function switchyardBootstrap(): SdkSnapshot {
  return { environment: "bench", version: 1, flags: [switchyardFlagA, switchyardFlagB(FLAG_B, B_COUNTRIES)], segments: [] };
}

function countedEvaluations(body: unknown): number {
  if (typeof body !== "string") return 0;
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== "object" || parsed === null || !("evaluations" in parsed) || !Array.isArray(parsed.evaluations)) return 0;
  let total = 0;
  for (const entry of parsed.evaluations as unknown[]) {
    if (typeof entry === "object" && entry !== null && "count" in entry && typeof entry.count === "number") total += entry.count;
  }
  return total;
}

export function switchyardSdkPeer(options: { sendMetrics: boolean }): SdkPeerFactory {
  return async (users: readonly WorkloadUser[]): Promise<SdkPeer> => {
    const requests: string[] = [];
    const failures = new Set<string>();
    let reportedEvaluations = 0;
    let logged = 0;
    const countingFetch: FetchFunction = (url, init) => {
      requests.push(`${init.method ?? "GET"} ${new URL(url).pathname}`);
      // A refused report's counts go out again with the next one, so the last report has them all.
      if (init.method === "POST") reportedEvaluations = countedEvaluations(init.body);
      return fetch(url, init).catch((error: unknown) => {
        failures.add(error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error));
        throw error;
      });
    };
    const client = createClient({
      url: OFFLINE_URL,
      token: "bench-token",
      bootstrap: switchyardBootstrap(),
      stream: false,
      sendMetrics: options.sendMetrics,
      fetch: countingFetch,
      logger: { warn: () => void logged++, error: () => void logged++ },
    });
    // The first poll starts at once and is refused; let it settle before measuring.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3_000);
      client.on("stale", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const contexts: EvaluationContext[] = users.map((user) => ({ key: user.key, country: user.country, plan: user.plan }));
    const mask = contexts.length - 1;
    // One cursor for both flags: every call continues where the last one stopped.
    let cursor = 0;
    const fallback: EvaluationContext = {};
    let evaluations = 0;
    return {
      name: options.sendMetrics ? "@switchyard/sdk-node (defaults: usage metrics on)" : "@switchyard/sdk-node (sendMetrics: false)",
      flagA(iterations) {
        evaluations += iterations;
        let on = 0;
        for (let i = cursor, end = cursor + iterations; i < end; i++) if (client.isEnabled(FLAG_A, contexts[i & mask] ?? fallback)) on++;
        cursor = (cursor + iterations) & mask;
        return on;
      },
      flagB(iterations) {
        evaluations += iterations;
        let on = 0;
        for (let i = cursor, end = cursor + iterations; i < end; i++) if (client.isEnabled(FLAG_B, contexts[i & mask] ?? fallback)) on++;
        cursor = (cursor + iterations) & mask;
        return on;
      },
      async close() {
        await client.close();
      },
      notes() {
        const counted = options.sendMetrics
          ? `; the final metrics report carried ${reportedEvaluations} of the ${evaluations} evaluations`
          : "; nothing counted (sendMetrics: false skips the counting)";
        return [
          `createClient({ url: "${OFFLINE_URL}", bootstrap, stream: false, sendMetrics: ${options.sendMetrics} }), client.isEnabled(key, context)`,
          `requests attempted: ${requests.length} (${requests.join(", ")}), failed with: ${[...failures].join(", ") || "nothing"}; ${logged} log lines swallowed${counted}`,
        ];
      },
    };
  };
}
