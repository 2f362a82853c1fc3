
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

/** How many context keys the SDK remembers the variations of, for attributing `track` events. */
export const ATTRIBUTION_CAPACITY = 10_000;

// Internal map keys; NUL appears neither in a flag key nor in a valid event name.
const SEPARATOR = "\u0000";

function increment(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/**
 * Counts evaluations per flag and variation and custom events, per period. An event is
 * attributed to every variation its context key last received from a flag that can serve
 * different values to different contexts (one count per flag), so the server can compare
 * cohorts; an event from a context that received none is counted once, unattributed.
 *
 * This runs inside every `isEnabled`, so it is built for that: counts are arrays indexed by
 * variation (no string keys), and "last received" lives in two generations of plain Maps —
 * a key is promoted on use and the older generation is dropped whole when the newer one is
 * full — instead of an LRU whose eviction walks a Map's deleted entries.
 */
export class UsageMetrics {
  private evaluations = new Map<string, number[]>();
  private events = new Map<string, number>();
  private periodStart: number;
  private recent = new Map<string, Map<string, number>>();
  private older = new Map<string, Map<string, number>>();

  constructor(now: number) {
    this.periodStart = now;
  }

  /** `attributable` is false for a flag that serves one value to everyone (no cohorts to compare). */
  recordEvaluation(flag: string, variation: number, contextKey: string | undefined, attributable = true): void {
    let counts = this.evaluations.get(flag);
    if (counts === undefined) {
      counts = [];
      this.evaluations.set(flag, counts);
    }
    counts[variation] = (counts[variation] ?? 0) + 1;
    if (!attributable || contextKey === undefined) return;
    let flags = this.recent.get(contextKey);
    if (flags === undefined) {
      flags = this.older.get(contextKey) ?? new Map<string, number>();
      if (this.recent.size >= ATTRIBUTION_CAPACITY / 2) {
        this.older = this.recent;
        this.recent = new Map();
      }
      this.recent.set(contextKey, flags);
    }
    if (flags.get(flag) !== variation) flags.set(flag, variation);
  }

  recordEvent(event: string, contextKey: string | undefined): void {
    const flags = contextKey === undefined ? undefined : (this.recent.get(contextKey) ?? this.older.get(contextKey));
    if (flags === undefined || flags.size === 0) {
      increment(this.events, event, 1);
      return;
    }
    for (const [flag, variation] of flags) {
      increment(this.events, `${event}${SEPARATOR}${flag}${SEPARATOR}${variation}`, 1);
    }
  }

  /** Ends the period: returns its counts and starts a new, empty one. */
  take(now: number): UsagePeriod {
    const period: UsagePeriod = {
      periodStart: new Date(this.periodStart).toISOString(),
      periodEnd: new Date(now).toISOString(),
      evaluations: [...this.evaluations].flatMap(([flag, counts]) =>
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
      const counts = this.evaluations.get(flag) ?? [];
      counts[variation] = (counts[variation] ?? 0) + count;
      this.evaluations.set(flag, counts);
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
