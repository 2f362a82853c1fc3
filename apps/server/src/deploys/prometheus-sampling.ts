import { intervalsCompleted } from "./checks";
import { expandQuery, type PrometheusSource, type QueryOutcome } from "./prometheus";
import type { Check, Guard, PrometheusProgress } from "./types";

/** A check that reads Prometheus. */
export type QueryCheck = Check & { query: string };

export const queryChecks = (guard: Guard): QueryCheck[] => guard.checks.filter((check): check is QueryCheck => check.query !== undefined);

/** Intervals queried per deploy and tick: a deploy resumed after a long outage catches up over a few ticks. */
export const MAX_INTERVALS_PER_TICK = 20;

/** How long an unreachable Prometheus holds a deploy's decision back before its intervals are given up (no sample). */
export function giveUpAfterMs(guard: Guard): number {
  return Math.max(2 * guard.intervalSeconds * 1000, 30_000);
}

export interface SampledIntervals {
  samples: Array<{ signal: string; value: number; at: Date }>;
  progress: PrometheusProgress;
  /**
   * The `now` the engine may decide at: while an interval still waits for Prometheus, the
   * end of the last settled one, so no interval is judged without its sample.
   */
  decideAt: Date;
}

const NO_SOURCE: QueryOutcome = {
  kind: "unavailable",
  message: "this server has no PROMETHEUS_URL (it was set when the deploy was registered)",
};

/**
 * Asks Prometheus for every query check's value at the end of each interval completed since
 * the last settled one. An interval is settled when every query answered (a value, or no data
 * — then the check simply has no sample there) or when Prometheus has been unreachable for
 * longer than `giveUpAfterMs`; until then the interval is asked again on the next tick, as a
 * whole, so no sample is stored twice.
 */
export async function sampleIntervals(
  source: PrometheusSource | undefined,
  deploy: { createdAt: Date; guard: Guard; progress: PrometheusProgress | undefined },
  now: Date,
): Promise<SampledIntervals> {
  const { guard } = deploy;
  const startMs = deploy.createdAt.getTime();
  const intervalMs = guard.intervalSeconds * 1000;
  const completed = intervalsCompleted(startMs, intervalMs, now.getTime());
  const progress: PrometheusProgress = { ...(deploy.progress ?? { through: 0, failingSince: null, lastProblem: null }) };
  const samples: SampledIntervals["samples"] = [];
  const checks = queryChecks(guard);
  const last = Math.min(completed, progress.through + MAX_INTERVALS_PER_TICK);
  for (let index = progress.through; index < last; index++) {
    const atMs = startMs + (index + 1) * intervalMs;
    const answers = await Promise.all(
      checks.map(async (check) => ({
        check,
        outcome: source === undefined ? NO_SOURCE : await source.query(expandQuery(check.query, guard.intervalSeconds), new Date(atMs)),
      })),
    );
    const problem = (signal: string, message: string) => ({ at: now.toISOString(), interval: index, signal, message });
    const down = answers.find((a) => a.outcome.kind === "unavailable");
    if (down !== undefined && down.outcome.kind === "unavailable") {
      progress.lastProblem = problem(down.check.signal, down.outcome.message);
      progress.failingSince ??= now.toISOString();
      if (now.getTime() - Date.parse(progress.failingSince) < giveUpAfterMs(guard)) break;
    } else {
      progress.failingSince = null;
    }
    // A problem is reported while it lasts: an interval every query answered clears it.
    if (answers.every((a) => a.outcome.kind === "value")) progress.lastProblem = null;
    for (const { check, outcome } of answers) {
      // Just inside the interval: the engine buckets samples by [from, to).
      if (outcome.kind === "value") samples.push({ signal: check.signal, value: outcome.value, at: new Date(atMs - 1) });
      else if (outcome.kind === "invalid") progress.lastProblem = problem(check.signal, outcome.message);
      else if (outcome.kind === "no-data") progress.lastProblem = problem(check.signal, `no data: ${outcome.reason}`);
    }
    progress.through = index + 1;
  }
  const decideAt = progress.through < completed ? new Date(startMs + progress.through * intervalMs) : now;
  return { samples, progress, decideAt };
}
