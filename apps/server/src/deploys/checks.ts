import {
  DEFAULT_MIN_SAMPLES,
  type Check,
  type CheckSource,
  type CohortCount,
  type GaugeSample,
  type Judgement,
  type RateDefinition,
} from "./types";

/** One interval of the grid that starts at the deploy's start; times in epoch ms. */
export interface Interval {
  index: number;
  from: number;
  to: number;
}

/** How many intervals of the grid that starts at `startMs` have ended by `nowMs`. */
export function intervalsCompleted(startMs: number, intervalMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - startMs) / intervalMs));
}

/** The intervals that have ended by `nowMs` (the grid runs on past the window while mitigating). */
export function completedIntervals(startMs: number, intervalMs: number, nowMs: number): Interval[] {
  const count = intervalsCompleted(startMs, intervalMs, nowMs);
  return Array.from({ length: count }, (_, index) => ({
    index,
    from: startMs + index * intervalMs,
    to: startMs + (index + 1) * intervalMs,
  }));
}

export interface RateTally {
  events: number;
  per: number;
}

interface IntervalTally {
  gaugeSum: number;
  gaugeCount: number;
  unattributed: RateTally;
  byFlag: Map<string, RateTally>;
}

export type Direction = "above" | "below";

export interface Judged {
  /** Index of the earliest interval the value was aggregated over. */
  fromIndex: number;
  value: number | null;
  samples: number;
  judgement: Judgement;
  /** Which bound was crossed, when breached. */
  direction: Direction | null;
}

/** One check's samples tallied per interval, ready to be judged over any run of intervals. */
export interface CheckSeries {
  check: Check;
  source: CheckSource;
  minSamples: number;
  tallies: IntervalTally[];
}

export interface SeriesInputs {
  startMs: number;
  intervalMs: number;
  intervals: number;
  samples: GaugeSample[];
  counts: CohortCount[];
  guardedFlags: ReadonlySet<string>;
  rate: RateDefinition | undefined;
}

function emptyTally(): IntervalTally {
  return { gaugeSum: 0, gaugeCount: 0, unattributed: { events: 0, per: 0 }, byFlag: new Map() };
}

function indexOf(inputs: SeriesInputs, at: Date): number | null {
  const offset = at.getTime() - inputs.startMs;
  if (offset < 0) return null; // before the deploy: not its evidence
  const index = Math.floor(offset / inputs.intervalMs);
  return index < inputs.intervals ? index : null;
}

function sourceOf(check: Check, gauges: number, rate: RateDefinition | undefined): CheckSource {
  if (check.query !== undefined) return "prometheus";
  return gauges > 0 ? "gauge" : rate !== undefined ? "counts" : "none";
}

/**
 * A check with a Prometheus query reads only its samples (stored as gauge samples of its signal,
 * one per interval). Otherwise pushed gauge samples win over counts: a pipeline that pushes
 * `error_rate` measures the whole service, while SDK counts only see contexts that went through
 * a flag check.
 */
export function buildSeries(check: Check, inputs: SeriesInputs): CheckSeries {
  const gauges = inputs.samples.filter((s) => s.signal === check.signal && s.flag === undefined && Number.isFinite(s.value));
  const source = sourceOf(check, gauges.length, inputs.rate);
  const tallies = Array.from({ length: inputs.intervals }, emptyTally);
  if (source === "gauge" || source === "prometheus") {
    for (const sample of gauges) {
      const tally = tallyAt(tallies, indexOf(inputs, sample.at));
      if (tally === undefined) continue;
      tally.gaugeSum += sample.value;
      tally.gaugeCount += 1;
    }
  } else if (inputs.rate !== undefined) {
    const { event, per } = inputs.rate;
    for (const row of inputs.counts) {
      if (row.event !== event && row.event !== per) continue;
      if (row.flag !== undefined && !inputs.guardedFlags.has(row.flag)) continue;
      const tally = tallyAt(tallies, indexOf(inputs, row.at));
      if (tally === undefined) continue;
      const target = row.flag === undefined ? tally.unattributed : flagTally(tally.byFlag, row.flag);
      if (row.event === event) target.events += row.count;
      if (row.event === per) target.per += row.count;
    }
  }
  const minSamples = check.minSamples ?? (source === "counts" ? DEFAULT_MIN_SAMPLES.counts : DEFAULT_MIN_SAMPLES.gauge);
  return { check, source, minSamples, tallies };
}

function tallyAt(tallies: IntervalTally[], index: number | null): IntervalTally | undefined {
  return index === null ? undefined : tallies[index];
}

function flagTally(byFlag: Map<string, RateTally>, flag: string): RateTally {
  let tally = byFlag.get(flag);
  if (tally === undefined) {
    tally = { events: 0, per: 0 };
    byFlag.set(flag, tally);
  }
  return tally;
}

/**
 * The service-wide rate from attributed counts. The SDK counts an event once for every flag
 * its context received, so summing over flags would count it several times; one flag's cohorts
 * together (the flag that saw the most traffic) plus the unattributed events count it once.
 */
function overallRate(unattributed: RateTally, byFlag: Map<string, RateTally>): RateTally {
  let widest: RateTally = { events: 0, per: 0 };
  for (const tally of byFlag.values()) if (tally.per > widest.per) widest = tally;
  return { events: unattributed.events + widest.events, per: unattributed.per + widest.per };
}

function aggregate(series: CheckSeries, fromIndex: number, toIndex: number): { value: number | null; samples: number } {
  let gaugeSum = 0;
  let gaugeCount = 0;
  const unattributed: RateTally = { events: 0, per: 0 };
  const byFlag = new Map<string, RateTally>();
  for (let index = fromIndex; index <= toIndex; index++) {
    const tally = series.tallies[index];
    if (tally === undefined) continue;
    gaugeSum += tally.gaugeSum;
    gaugeCount += tally.gaugeCount;
    unattributed.events += tally.unattributed.events;
    unattributed.per += tally.unattributed.per;
    for (const [flag, rate] of tally.byFlag) {
      const target = flagTally(byFlag, flag);
      target.events += rate.events;
      target.per += rate.per;
    }
  }
  if (series.source === "gauge" || series.source === "prometheus")
    return { value: gaugeCount > 0 ? gaugeSum / gaugeCount : null, samples: gaugeCount };
  if (series.source === "none") return { value: null, samples: 0 };
  const rate = overallRate(unattributed, byFlag);
  return { value: rate.per > 0 ? rate.events / rate.per : null, samples: rate.per };
}

export function violation(check: Check, value: number): Direction | null {
  if (check.max !== undefined && value > check.max) return "above";
  if (check.min !== undefined && value < check.min) return "below";
  return null;
}

/**
 * Judges interval `index` on its own aggregate (mean of gauge samples, or events / per), reaching
 * back over earlier intervals (never before `earliestIndex`) only until `minSamples` samples are
 * covered — so a spike shorter than an interval is averaged, and no verdict rests on too few.
 */
export function judge(series: CheckSeries, index: number, earliestIndex: number): Judged {
  let fromIndex = index;
  let result = aggregate(series, index, index);
  while (result.samples < series.minSamples && fromIndex > earliestIndex) {
    fromIndex -= 1;
    result = aggregate(series, fromIndex, index);
  }
  if (result.value === null || result.samples < series.minSamples) {
    return { fromIndex, value: result.value, samples: result.samples, judgement: "pending", direction: null };
  }
  const direction = violation(series.check, result.value);
  return { fromIndex, value: result.value, samples: result.samples, judgement: direction === null ? "held" : "breached", direction };
}

/** Samples seen since the deploy started, up to and including interval `index`. */
export function samplesThrough(series: CheckSeries, index: number): number {
  return aggregate(series, 0, index).samples;
}
