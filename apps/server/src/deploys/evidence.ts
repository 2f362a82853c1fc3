import { judge, samplesThrough, type CheckSeries, type Interval, type Judged } from "./checks";
import type {
  CheckEvidence,
  CohortEvidence,
  DisableReason,
  FlagActionEvidence,
  FlagOff,
  IntervalEvidence,
  PropagationEvidence,
} from "./types";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A check's record up to interval `throughIndex`: every interval's aggregate and judgement.
 * Intervals from `recoveryIndex` on are judged only on samples taken after the flag-off was
 * acknowledged, as the decision judged them.
 */
export function checkEvidence(series: CheckSeries, grid: Interval[], throughIndex: number, recoveryIndex: number | null): CheckEvidence {
  const intervals: IntervalEvidence[] = [];
  for (const interval of grid.slice(0, throughIndex + 1)) {
    const earliest = recoveryIndex !== null && interval.index >= recoveryIndex ? recoveryIndex : 0;
    const judged = judge(series, interval.index, earliest);
    const from = grid[judged.fromIndex]?.from ?? interval.from;
    intervals.push({
      from: iso(interval.from),
      to: iso(interval.to),
      aggregatedFrom: iso(from),
      value: judged.value,
      samples: judged.samples,
      judgement: judged.judgement,
    });
  }
  const judgedIntervals = intervals.filter((i) => i.judgement !== "pending");
  const firstBreach = intervals.find((i) => i.judgement === "breached") ?? null;
  return {
    signal: series.check.signal,
    max: series.check.max ?? null,
    min: series.check.min ?? null,
    minSamples: series.minSamples,
    source: series.source,
    query: series.check.query ?? null,
    samples: throughIndex >= 0 ? samplesThrough(series, throughIndex) : 0,
    firstBreach,
    held: judgedIntervals.length === 0 ? null : firstBreach === null,
    intervals,
  };
}

export function formatValue(value: number | null): string {
  return value === null ? "n/a" : String(Number(value.toPrecision(4)));
}

export function formatPercent(rate: number | null): string {
  return rate === null ? "n/a" : `${(rate * 100).toFixed(1)}%`;
}

function formatP(p: number): string {
  return p < 0.0001 ? "p<0.0001" : `p=${p.toPrecision(2)}`;
}

/** "error_rate 0.05 > max 0.02 over 1200 samples" */
export function describeJudged(series: CheckSeries, judged: Judged): string {
  const { check } = series;
  const bound =
    judged.direction === "below"
      ? `< min ${formatValue(check.min ?? null)}`
      : judged.direction === "above"
        ? `> max ${formatValue(check.max ?? null)}`
        : "";
  return `${check.signal} ${formatValue(judged.value)} ${bound} over ${judged.samples} samples`.replace(/ {2}/g, " ");
}

/**
 * From counts: "new-checkout (new 8.0% of 4000 vs off 1.0% of 4000, z=13.2, p<0.0001)";
 * from samples: "new-checkout (new mean 910 of 12 samples vs off 420 of 12, t=9.10, df=21.7, p<0.0001)".
 */
export function describeCohort(cohort: CohortEvidence): string {
  if (cohort.source === "samples") {
    const means = `new mean ${formatValue(cohort.new.mean)} of ${cohort.new.samples} samples vs off ${formatValue(cohort.off.mean)} of ${cohort.off.samples}`;
    const { test } = cohort;
    const t = test === null ? "" : test.t === null ? ", neither cohort varies" : `, t=${test.t.toFixed(2)}, df=${test.df.toFixed(1)}`;
    return `${cohort.flag} (${means}${t}${test === null ? "" : `, ${formatP(test.pValue)}`})`;
  }
  const counts = `new ${formatPercent(cohort.new.rate)} of ${cohort.new.per} vs off ${formatPercent(cohort.off.rate)} of ${cohort.off.per}`;
  const test = cohort.test === null ? "" : `, z=${cohort.test.z.toFixed(2)}, ${formatP(cohort.test.pValue)}`;
  return `${cohort.flag} (${counts}${test})`;
}

export function listFlags(flags: string[]): string {
  return flags.join(", ");
}

/** "new-checkout off (version 11), acknowledged by 20 of 20 instances in 0.5 s" */
export function describeFlagOff(flag: string, propagation: PropagationEvidence | undefined): string {
  if (propagation === undefined) return `${flag} not off yet`;
  const seconds = propagation.seconds === null ? "" : ` in ${propagation.seconds} s`;
  return `${flag} off (version ${propagation.version}), acknowledged by ${propagation.acknowledged} of ${propagation.connected} instances${seconds}`;
}

export function flagActionEvidence(action: {
  flag: string;
  reason: DisableReason;
  decidedAtMs: number;
  taken: boolean;
  off: FlagOff | undefined;
  ack: { evidence: PropagationEvidence } | undefined;
}): FlagActionEvidence {
  return {
    flag: action.flag,
    reason: action.reason,
    decidedAt: iso(action.decidedAtMs),
    taken: action.taken,
    disabledAt: action.off?.disabledAt.toISOString() ?? null,
    propagation: action.ack?.evidence ?? null,
  };
}
