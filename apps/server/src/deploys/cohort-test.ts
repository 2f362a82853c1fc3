import { violation, type Direction } from "./checks";
import { twoProportionZTest } from "./proportion-test";
import {
  DEFAULT_MIN_SAMPLES,
  MIN_COHORT_SAMPLES,
  type Check,
  type CohortCount,
  type CohortEvidence,
  type CohortTally,
  type CohortVerdict,
  type GuardedFlag,
  type ProportionTestEvidence,
  type RateDefinition,
} from "./types";

export interface CohortTestInput {
  flag: GuardedFlag;
  check: Check;
  /** The bound the service-wide value crossed. */
  direction: Direction;
  rate: RateDefinition | undefined;
  counts: CohortCount[];
  /** Counts from this time (the breach's start) … */
  fromMs: number;
  /** … to this one (the end of the interval being decided). */
  untilMs: number;
  significance: number;
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
export function testCohorts(input: CohortTestInput): CohortEvidence {
  const { flag, check } = input;
  const minSamples = cohortMinSamples(check);
  const base = { flag: flag.key, signal: check.signal, from: new Date(input.fromMs).toISOString(), until: new Date(input.untilMs).toISOString() };
  const verdict = (v: CohortVerdict, reason: string, cohorts: { new: CohortTally; off: CohortTally }, test: CohortEvidence["test"] = null): CohortEvidence => ({
    ...base,
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
    return verdict("insufficient", `each cohort needs ${minSamples} "${per}" events (new ${cohorts.new.per}, off ${cohorts.off.per})`, cohorts);
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
  // A cohort whose rate crosses the bound the other way is not the breach being explained.
  const newBreaches = cohorts.new.rate !== null && violation(check, cohorts.new.rate) === input.direction;
  const offBreaches = cohorts.off.rate !== null && violation(check, cohorts.off.rate) === input.direction;
  if (!newBreaches) return verdict("clears", "the new cohort is within the bound", cohorts, test);
  if (offBreaches) return verdict("clears", "the off cohort breaches too", cohorts, test);
  if (result.pValue >= input.significance) return verdict("clears", `the difference is not significant (p ≥ ${input.significance})`, cohorts, test);
  return verdict("explains", "the new cohort breaches, the off cohort does not, and the difference is significant", cohorts, test);
}
