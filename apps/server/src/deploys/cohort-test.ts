import { violation, type Direction } from "./checks";
import { twoProportionZTest } from "./proportion-test";
import { summarize, welchTTest } from "./t-test";
import {
  DEFAULT_MIN_SAMPLES,
  MIN_COHORT_GAUGE_SAMPLES,
  MIN_COHORT_SAMPLES,
  type Check,
  type CohortCount,
  type CohortSampleTally,
  type CohortTally,
  type CohortVerdict,
  type CountCohortEvidence,
  type GaugeSample,
  type GuardedFlag,
  type MeanTestEvidence,
  type ProportionTestEvidence,
  type RateDefinition,
  type SampleCohortEvidence,
} from "./types";

/** One flag, one breached check, and the span its cohorts are compared over. */
export interface CohortSpan {
  flag: GuardedFlag;
  check: Check;
  /** The bound the service-wide value crossed. */
  direction: Direction;
  /** Counts and samples from this time (the breach's start) … */
  fromMs: number;
  /** … to this one (the end of the interval being decided). */
  untilMs: number;
  significance: number;
}

export interface CohortTestInput extends CohortSpan {
  rate: RateDefinition | undefined;
  counts: CohortCount[];
}

export interface SampleCohortTestInput extends CohortSpan {
  samples: GaugeSample[];
}

function spanEvidence(input: CohortSpan) {
  return {
    flag: input.flag.key,
    signal: input.check.signal,
    from: new Date(input.fromMs).toISOString(),
    until: new Date(input.untilMs).toISOString(),
  };
}

/**
 * The verdict once both cohorts are big enough: the flag explains the breach only if its new
 * cohort's value crosses the bound the service-wide value crossed, its off cohort's does not
 * (a cohort past the other bound is not this breach), and the one-sided test is significant.
 */
function judgeCohorts(
  input: CohortSpan,
  newValue: number | null,
  offValue: number | null,
  pValue: number,
): { verdict: CohortVerdict; reason: string } {
  const breaches = (value: number | null) => value !== null && violation(input.check, value) === input.direction;
  if (!breaches(newValue)) return { verdict: "clears", reason: "the new cohort is within the bound" };
  if (breaches(offValue)) return { verdict: "clears", reason: "the off cohort breaches too" };
  if (pValue >= input.significance) return { verdict: "clears", reason: `the difference is not significant (p ≥ ${input.significance})` };
  return { verdict: "explains", reason: "the new cohort breaches, the off cohort does not, and the difference is significant" };
}

/** Each cohort needs the check's `minSamples` requests, and never fewer than the z-test tolerates. */
export function cohortMinSamples(check: Check): number {
  return Math.max(check.minSamples ?? DEFAULT_MIN_SAMPLES.counts, MIN_COHORT_SAMPLES);
}

function tallies(input: CohortTestInput, rate: RateDefinition): { new: CohortTally; off: CohortTally } {
  const newVariations = new Set<number>();
  const newCohort: CohortTally = { variations: [], events: 0, per: 0, rate: null };
  const offCohort: CohortTally = { variations: [input.flag.offVariation], events: 0, per: 0, rate: null };
  const result = { new: newCohort, off: offCohort };
  for (const row of input.counts) {
    if (row.flag !== input.flag.key || row.variation === undefined) continue;
    const at = row.at.getTime();
    if (at < input.fromMs || at >= input.untilMs) continue;
    const isOff = row.variation === input.flag.offVariation;
    const cohort = isOff ? offCohort : newCohort;
    if (!isOff) newVariations.add(row.variation);
    if (row.event === rate.event) cohort.events += row.count;
    if (row.event === rate.per) cohort.per += row.count;
  }
  newCohort.variations = [...newVariations].sort((a, b) => a - b);
  for (const cohort of [newCohort, offCohort]) cohort.rate = cohort.per > 0 ? cohort.events / cohort.per : null;
  return result;
}

/**
 * Does this flag explain the breach? Only if the cohort on its new variation(s) is past the
 * bound, the cohort on its off variation is not, and a one-sided pooled two-proportion z-test
 * says the new cohort is worse with p < significance, each cohort holding enough requests.
 * Counts run from the breach's start to `untilMs`: while cohorts are too small the span grows
 * with each interval, and healthy time before the breach does not dilute it.
 */
export function testCohorts(input: CohortTestInput): CountCohortEvidence {
  const { flag, check } = input;
  const minSamples = cohortMinSamples(check);
  const verdict = (
    v: CohortVerdict,
    reason: string,
    cohorts: { new: CohortTally; off: CohortTally },
    test: ProportionTestEvidence | null = null,
  ): CountCohortEvidence => ({
    ...spanEvidence(input),
    source: "counts",
    new: cohorts.new,
    off: cohorts.off,
    test,
    verdict: v,
    reason,
  });
  if (input.rate === undefined) {
    const none = (variations: number[]): CohortTally => ({ variations, events: 0, per: 0, rate: null });
    return verdict("no-data", `${check.signal} is not counted per cohort`, { new: none([]), off: none([flag.offVariation]) });
  }
  const cohorts = tallies(input, input.rate);
  const per = input.rate.per;
  if (cohorts.new.per === 0 && cohorts.off.per === 0) return verdict("no-data", `no "${per}" events counted for this flag`, cohorts);
  if (cohorts.off.per === 0) return verdict("no-data", `every "${per}" event came from a new variation: no control cohort`, cohorts);
  if (cohorts.new.per === 0) return verdict("clears", `no "${per}" event came from a new variation`, cohorts);
  if (cohorts.new.per < minSamples || cohorts.off.per < minSamples) {
    return verdict(
      "insufficient",
      `each cohort needs ${minSamples} "${per}" events (new ${cohorts.new.per}, off ${cohorts.off.per})`,
      cohorts,
    );
  }
  const newSample = { events: cohorts.new.events, trials: cohorts.new.per };
  const offSample = { events: cohorts.off.events, trials: cohorts.off.per };
  const worse = input.direction === "above";
  const result = worse ? twoProportionZTest(newSample, offSample) : twoProportionZTest(offSample, newSample);
  const test: ProportionTestEvidence = {
    test: "two-proportion z-test, pooled, one-sided",
    alternative: worse ? "new > off" : "new < off",
    z: worse ? result.z : -result.z,
    pValue: result.pValue,
    significance: input.significance,
    minSamples,
  };
  const judged = judgeCohorts(input, cohorts.new.rate, cohorts.off.rate, result.pValue);
  return verdict(judged.verdict, judged.reason, cohorts, test);
}

/** Each cohort needs the check's `minSamples` samples, and never fewer than the t-test tolerates. */
export function cohortMinGaugeSamples(check: Check): number {
  return Math.max(check.minSamples ?? DEFAULT_MIN_SAMPLES.gauge, MIN_COHORT_GAUGE_SAMPLES);
}

/** Pushed samples of the check's signal that name the flag, taken in the span (variation or not). */
export function cohortSamples(samples: readonly GaugeSample[], span: CohortSpan): GaugeSample[] {
  return samples.filter((s) => {
    const at = s.at.getTime();
    return s.flag === span.flag.key && s.signal === span.check.signal && Number.isFinite(s.value) && at >= span.fromMs && at < span.untilMs;
  });
}

function sampleTally(variations: number[], values: number[]): CohortSampleTally {
  if (values.length === 0) return { variations, samples: 0, mean: null, standardDeviation: null };
  const { mean, variance } = summarize(values);
  return { variations, samples: values.length, mean, standardDeviation: values.length > 1 ? Math.sqrt(variance) : null };
}

/**
 * Does this flag explain the breach, judged on pushed samples naming it (e.g. `latency_p99_ms`
 * per variation)? As `testCohorts`, with the cohorts' means for their rates and a one-sided
 * Welch's t-test (unequal variances) for the z-test. Samples naming the flag but no variation
 * belong to neither cohort.
 */
export function testSampleCohorts(input: SampleCohortTestInput): SampleCohortEvidence {
  const { flag, check } = input;
  const minSamples = cohortMinGaugeSamples(check);
  const values: { new: number[]; off: number[] } = { new: [], off: [] };
  const newVariations = new Set<number>();
  let withoutVariation = 0;
  for (const row of cohortSamples(input.samples, input)) {
    if (row.variation === undefined) withoutVariation += 1;
    else if (row.variation === flag.offVariation) values.off.push(row.value);
    else {
      values.new.push(row.value);
      newVariations.add(row.variation);
    }
  }
  const cohorts = {
    new: sampleTally(
      [...newVariations].sort((a, b) => a - b),
      values.new,
    ),
    off: sampleTally([flag.offVariation], values.off),
  };
  const verdict = (v: CohortVerdict, reason: string, test: MeanTestEvidence | null = null): SampleCohortEvidence => ({
    ...spanEvidence(input),
    source: "samples",
    ...cohorts,
    test,
    verdict: v,
    reason,
  });
  const sample = `${check.signal} sample`;
  if (values.new.length === 0 && values.off.length === 0) {
    return verdict(
      "no-data",
      withoutVariation > 0 ? `${withoutVariation} ${sample}s name this flag but no variation` : `no ${sample}s name this flag`,
    );
  }
  if (values.off.length === 0) return verdict("no-data", `every ${sample} came from a new variation: no control cohort`);
  if (values.new.length === 0) return verdict("clears", `no ${sample} came from a new variation`);
  if (values.new.length < minSamples || values.off.length < minSamples) {
    return verdict("insufficient", `each cohort needs ${minSamples} ${sample}s (new ${values.new.length}, off ${values.off.length})`);
  }
  const worse = input.direction === "above";
  const [newSample, offSample] = [summarize(values.new), summarize(values.off)];
  const result = worse ? welchTTest(newSample, offSample) : welchTTest(offSample, newSample);
  // Reported as new − off, as the z of counts is; `0 - t` keeps a zero positive.
  const t = worse ? result.t : 0 - result.t;
  const test: MeanTestEvidence = {
    test: "Welch's t-test, one-sided",
    alternative: worse ? "new > off" : "new < off",
    t: Number.isFinite(t) ? t : null,
    df: result.df,
    pValue: result.pValue,
    significance: input.significance,
    minSamples,
  };
  const judged = judgeCohorts(input, newSample.mean, offSample.mean, result.pValue);
  return verdict(judged.verdict, judged.reason, test);
}
