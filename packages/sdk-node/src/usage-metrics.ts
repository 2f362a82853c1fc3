import { LruMap } from "./lru-map";

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
 * attributed to every variation its context key last received (one count per flag), so the
 * server can compare cohorts; an event from a context that received none is counted once,
 * unattributed.
 */
export class UsageMetrics {
  private evaluations = new Map<string, number>();
  private events = new Map<string, number>();
  private periodStart: number;
  private readonly received = new LruMap<string, Map<string, number>>(ATTRIBUTION_CAPACITY);

  constructor(now: number) {
    this.periodStart = now;
  }

  recordEvaluation(flag: string, variation: number, contextKey: string | undefined): void {
    increment(this.evaluations, `${flag}${SEPARATOR}${variation}`, 1);
    if (contextKey === undefined) return;
    const flags = this.received.get(contextKey);
    if (flags === undefined) this.received.set(contextKey, new Map([[flag, variation]]));
    else flags.set(flag, variation);
  }

  recordEvent(event: string, contextKey: string | undefined): void {
    const flags = contextKey === undefined ? undefined : this.received.get(contextKey);
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
      evaluations: [...this.evaluations].map(([key, count]) => {
        const [flag = "", variation = "0"] = key.split(SEPARATOR);
        return { flag, variation: Number(variation), count };
      }),
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
      increment(this.evaluations, `${flag}${SEPARATOR}${variation}`, count);
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
