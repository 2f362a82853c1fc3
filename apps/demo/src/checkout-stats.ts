import { checkoutPathList, type CheckoutPath } from "./failure-model";

export interface PathCounts {
  requests: number;
  errors: number;
}

export type CountsByPath = Record<CheckoutPath, PathCounts>;

export interface RecentTraffic {
  /** Whole seconds covered, ending at the last second that is over. */
  seconds: number;
  counts: CountsByPath;
  /** Share of requests that took the new path (the flag's new variation); null without traffic. */
  newShare: number | null;
}

const emptyCounts = (): CountsByPath => ({ new: { requests: 0, errors: 0 }, old: { requests: 0, errors: 0 } });

/** Recent traffic is kept per wall-clock second, for this many seconds. */
export const RECENT_SECONDS_KEPT = 10;

/**
 * What the checkout served: totals since start (for `/metrics` counters) and per second (for
 * "what happens right now" — after a flag is turned off the totals still show the new path for
 * a long time, the last seconds do not). Time is passed in, so tests need no clock.
 */
export class CheckoutStats {
  private readonly totals = emptyCounts();
  private readonly seconds = new Map<number, CountsByPath>();

  record(path: CheckoutPath, failed: boolean, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    let bucket = this.seconds.get(second);
    if (bucket === undefined) {
      bucket = emptyCounts();
      this.seconds.set(second, bucket);
      for (const old of this.seconds.keys()) if (old <= second - RECENT_SECONDS_KEPT) this.seconds.delete(old);
    }
    for (const counts of [this.totals[path], bucket[path]]) {
      counts.requests += 1;
      if (failed) counts.errors += 1;
    }
  }

  total(): CountsByPath {
    return structuredClone(this.totals);
  }

  /** The last `seconds` whole seconds before the one `nowMs` falls in (at most `RECENT_SECONDS_KEPT - 1`). */
  recent(seconds: number, nowMs: number): RecentTraffic {
    const span = Math.max(1, Math.min(seconds, RECENT_SECONDS_KEPT - 1));
    const current = Math.floor(nowMs / 1000);
    const counts = emptyCounts();
    for (let second = current - span; second < current; second++) {
      const bucket = this.seconds.get(second);
      if (bucket === undefined) continue;
      for (const path of checkoutPathList) {
        counts[path].requests += bucket[path].requests;
        counts[path].errors += bucket[path].errors;
      }
    }
    return { seconds: span, counts, newShare: newShare(counts) };
  }
}

export function newShare(counts: CountsByPath): number | null {
  const all = counts.new.requests + counts.old.requests;
  return all === 0 ? null : counts.new.requests / all;
}

/** `after - before`, per path: the traffic between two readings of the totals. */
export function difference(after: CountsByPath, before: CountsByPath): CountsByPath {
  const diff = emptyCounts();
  for (const path of checkoutPathList) {
    diff[path].requests = after[path].requests - before[path].requests;
    diff[path].errors = after[path].errors - before[path].errors;
  }
  return diff;
}
