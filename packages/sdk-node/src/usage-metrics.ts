
export interface EvaluationCount {
  flag: string;
  variation: number;
  count: number;
}

export interface EventCount {
  event: string;
  flag?: string;
  variation?: number;
  count: number;
}

export interface UsagePeriod {
  periodStart: string;
  periodEnd: string;
  evaluations: EvaluationCount[];
  events: EventCount[];
}

/** The event names the server accepts (a report with any other is rejected whole). */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/** The most entries of each list one report may carry; a larger period is sent in parts. */
export const MAX_REPORT_ENTRIES = 10_000;

// Internal map keys; NUL appears neither in a flag key nor in a valid event name.
const SEPARATOR = "\u0000";

/** One flag's evaluations in the current period. */
interface FlagCounts {
  /** Indexed by variation; a hole is a variation not served. */
  readonly counts: number[];
  /** Already in `attributable`: spares the hot path a set lookup per call. */
  attributable: boolean;
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/**
 * Counts evaluations per flag and variation and custom events, per period. An event is
 * attributed to the variation its context gets from each flag that can serve different values to
 * different contexts (one count per flag), so the server can compare cohorts; an event whose
 * context gets none is counted once, unattributed.
 *
 * This runs inside every `isEnabled`, so it is built for that: one map lookup finds the flag's
 * record for the period (its counts, indexed by variation, and whether it is already known to be
 * attributable), and nothing is remembered per context. `take` swaps in an empty map, so the
 * records of a period it returns are never written again. Evaluation is deterministic, so `track()`
 * finds the variations a context received by evaluating the attributable flags again
 * (`attributableFlags`: those seen serving by rule or rollout) — the cost moves from every
 * evaluation to the far rarer tracked event, and no context is ever forgotten.
 */
export class UsageMetrics {
  private evaluations = new Map<string, FlagCounts>();
  private events = new Map<string, number>();
  private periodStart: number;
  private readonly attributable = new Set<string>();

  constructor(now: number) {
    this.periodStart = now;
  }

  /** Flags whose evaluations differed by context (reason other than STATIC or DISABLED). */
  get attributableFlags(): ReadonlySet<string> {
    return this.attributable;
  }

  /** `attributable` is false for a flag that served one value to everyone (no cohorts to compare). */
  recordEvaluation(flag: string, variation: number, attributable = true): void {
    const entry = this.evaluations.get(flag) ?? this.addFlag(flag);
    const counts = entry.counts;
    counts[variation] = (counts[variation] ?? 0) + 1;
    if (attributable && !entry.attributable) {
      entry.attributable = true;
      this.attributable.add(flag);
    }
  }

  /** `received`: the (flag, variation) pairs the event's context gets from attributable flags. */
  recordEvent(event: string, received: ReadonlyArray<readonly [flag: string, variation: number]>): void {
    if (received.length === 0) {
      increment(this.events, event, 1);
      return;
    }
    for (const [flag, variation] of received) {
      increment(this.events, `${event}${SEPARATOR}${flag}${SEPARATOR}${variation}`, 1);
    }
  }

  /** Ends the period: returns its counts and starts a new, empty one. */
  take(now: number): UsagePeriod {
    const period: UsagePeriod = {
      periodStart: new Date(this.periodStart).toISOString(),
      periodEnd: new Date(now).toISOString(),
      evaluations: [...this.evaluations].flatMap(([flag, { counts }]) =>
        counts.flatMap((count, variation) => (count === undefined ? [] : [{ flag, variation, count }])),
      ),
      events: [...this.events].map(([key, count]) => {
        const [event = "", flag, variation] = key.split(SEPARATOR);
        return flag === undefined ? { event, count } : { event, flag, variation: Number(variation), count };
      }),
    };
    this.evaluations = new Map();
    this.events = new Map();
    this.periodStart = now;
    return period;
  }

  /** Puts back the counts of a period that could not be sent, to go out with the next one. */
  restore(period: UsagePeriod): void {
    this.periodStart = Math.min(this.periodStart, Date.parse(period.periodStart));
    for (const { flag, variation, count } of period.evaluations) {
      const { counts } = this.evaluations.get(flag) ?? this.addFlag(flag);
      counts[variation] = (counts[variation] ?? 0) + count;
    }
    for (const { event, flag, variation, count } of period.events) {
      const key = flag === undefined ? event : `${event}${SEPARATOR}${flag}${SEPARATOR}${variation ?? 0}`;
      increment(this.events, key, count);
    }
  }

  private addFlag(flag: string): FlagCounts {
    const entry: FlagCounts = { counts: [], attributable: this.attributable.has(flag) };
    this.evaluations.set(flag, entry);
    return entry;
  }
}

/** Splits a period whose lists exceed `maxEntries` into several reports of the same period. */
export function splitPeriod(period: UsagePeriod, maxEntries = MAX_REPORT_ENTRIES): UsagePeriod[] {
  const parts = Math.max(1, Math.ceil(Math.max(period.evaluations.length, period.events.length) / maxEntries));
  return Array.from({ length: parts }, (_, index) => ({
    ...period,
    evaluations: period.evaluations.slice(index * maxEntries, (index + 1) * maxEntries),
    events: period.events.slice(index * maxEntries, (index + 1) * maxEntries),
  }));
}
