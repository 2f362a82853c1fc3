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

/**
 * One flag's evaluation counts, one record per flag key for the life of the metrics: a caller
 * may keep it beside the flag and count without a lookup, across config updates and periods
 * (`take` empties it in place).
 */
export class FlagUsage {
  /** This period's counts, indexed by variation; a hole is a variation not served. */
  counts: number[] = [];
  /** Already in `attributableFlags`: spares the hot path a set lookup per call. */
  private attributable: boolean;

  constructor(
    readonly flag: string,
    private readonly attributableFlags: Set<string>,
  ) {
    this.attributable = attributableFlags.has(flag);
  }

  /** `attributable` is false for a flag that served one value to everyone (no cohorts to compare). */
  record(variation: number, attributable: boolean): void {
    const counts = this.counts;
    counts[variation] = (counts[variation] ?? 0) + 1;
    if (attributable && !this.attributable) {
      this.attributable = true;
      this.attributableFlags.add(this.flag);
    }
  }
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
 * This runs inside every `isEnabled`, so it is built for that: the client keeps each flag's
 * `FlagUsage` beside the flag's evaluator (one lookup finds both), the record holds the counts
 * indexed by variation and whether the flag is already known to be attributable, and nothing is
 * remembered per context. Records live as long as the metrics (a deleted flag's is a few dozen
 * bytes), so none a caller holds is ever orphaned. Evaluation is deterministic, so `track()`
 * finds the variations a context received by evaluating the attributable flags again
 * (`attributableFlags`: those seen serving by rule or rollout) — the cost moves from every
 * evaluation to the far rarer tracked event, and no context is ever forgotten.
 */
export class UsageMetrics {
  private readonly flags = new Map<string, FlagUsage>();
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
    this.flagUsage(flag).record(variation, attributable);
  }

  /** The flag's record, the same object for a key until the metrics are gone. */
  flagUsage(flag: string): FlagUsage {
    let usage = this.flags.get(flag);
    if (usage === undefined) {
      usage = new FlagUsage(flag, this.attributable);
      this.flags.set(flag, usage);
    }
    return usage;
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
    const evaluations: EvaluationCount[] = [];
    for (const usage of this.flags.values()) {
      if (usage.counts.length === 0) continue;
      usage.counts.forEach((count, variation) => evaluations.push({ flag: usage.flag, variation, count }));
      usage.counts = [];
    }
    const period: UsagePeriod = {
      periodStart: new Date(this.periodStart).toISOString(),
      periodEnd: new Date(now).toISOString(),
      evaluations,
      events: [...this.events].map(([key, count]) => {
        const [event = "", flag, variation] = key.split(SEPARATOR);
        return flag === undefined ? { event, count } : { event, flag, variation: Number(variation), count };
      }),
    };
    this.events = new Map();
    this.periodStart = now;
    return period;
  }

  /** Puts back the counts of a period that could not be sent, to go out with the next one. */
  restore(period: UsagePeriod): void {
    this.periodStart = Math.min(this.periodStart, Date.parse(period.periodStart));
    for (const { flag, variation, count } of period.evaluations) {
      const { counts } = this.flagUsage(flag);
      counts[variation] = (counts[variation] ?? 0) + count;
    }
    for (const { event, flag, variation, count } of period.events) {
      const key = flag === undefined ? event : `${event}${SEPARATOR}${flag}${SEPARATOR}${variation ?? 0}`;
      increment(this.events, key, count);
    }
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
