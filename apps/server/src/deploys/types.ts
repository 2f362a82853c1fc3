/**
 * The deploy decision engine's vocabulary: what a pipeline asks for (the guard), what the
 * service feeds in at every tick, and the decision with its evidence. Inputs carry `Date`s as
 * the store returns them; the decision is plain JSON (ISO timestamps) so it can be stored and
 * served as is.
 */

export const DeployStatuses = {
  observing: "observing",
  healthy: "healthy",
  mitigating: "mitigating",
  mitigated: "mitigated",
  rollbackRequired: "rollback-required",
  inconclusive: "inconclusive",
} as const;
export type DeployStatus = (typeof DeployStatuses)[keyof typeof DeployStatuses];

export const BreachResponses = {
  disableFlags: "disable-flags",
  decideOnly: "decide-only",
} as const;
export type BreachResponse = (typeof BreachResponses)[keyof typeof BreachResponses];

/** One health condition: the signal's aggregate must stay ≤ `max` and/or ≥ `min`. */
export interface Check {
  signal: string;
  max?: number;
  min?: number;
  /**
   * No judgement rests on fewer samples: gauge samples, or `per` events (requests) for a rate
   * computed from counts. Defaults: `DEFAULT_MIN_SAMPLES`.
   */
  minSamples?: number;
  /**
   * A PromQL query whose value is this check's sample for each interval, asked of the server's
   * Prometheus (`PROMETHEUS_URL`) at every interval's end; `$interval` stands for the interval
   * (e.g. `rate(errors_total[$interval])`). Without it the check reads pushed samples or counts.
   */
  query?: string;
}

export interface Guard {
  windowSeconds: number;
  intervalSeconds: number;
  checks: Check[];
  onBreach: BreachResponse;
  /** Share of connected SDK instances that must serve the flag-off version (default 0.95). */
  acknowledgeRatio?: number;
  /** Intervals a flag-off may take to be acknowledged, and recovery to be measurable (default 2). */
  acknowledgeIntervals?: number;
  /** Turn off a guarded flag that has no cohort data to see whether the breach clears (default true). */
  probe?: boolean;
  /** One-sided p-value below which a cohort difference counts (default 0.01). */
  significance?: number;
  /**
   * Count browser reports (`POST /api/client/metrics`) as evidence too. Default false: anyone can
   * send those with the client token a web page ships, so only server SDKs' counts and pushed
   * samples decide.
   */
  browserCounts?: boolean;
}

/** A flag the deploy is guarded by. Every variation but `offVariation` is "new". */
export interface GuardedFlag {
  key: string;
  offVariation: number;
}

/** A pushed health sample. Samples naming a flag are cohort samples and do not feed checks. */
export interface GaugeSample {
  signal: string;
  value: number;
  at: Date;
  flag?: string;
  variation?: number;
}

/**
 * SDK `track()` counts as stored (per minute bucket): attributed to a flag variation, or
 * unattributed when the context received no guarded flag. `at` is the bucket's start.
 */
export interface CohortCount {
  event: string;
  count: number;
  at: Date;
  flag?: string;
  variation?: number;
}

/** A rate signal computed from counts: `event` per `per` (e.g. error per request). */
export interface RateDefinition {
  event: string;
  per: string;
}

export const DEFAULT_RATE_SIGNALS: Readonly<Record<string, RateDefinition>> = {
  error_rate: { event: "error", per: "request" },
};

/** A guarded flag that is off in the environment: since when, and in which config version. */
export interface FlagOff {
  flag: string;
  disabledAt: Date;
  version: number;
}

/** The connected SDK instances and when each first served ≥ `version` (null: not yet). */
export interface Propagation {
  flag: string;
  version: number;
  instances: Array<{ acknowledgedAt: Date | null }>;
}

export interface DecisionInput {
  guard: Guard;
  startedAt: Date;
  flags: GuardedFlag[];
  samples: GaugeSample[];
  counts: CohortCount[];
  flagsOff: FlagOff[];
  propagation: Propagation[];
  /** The last decision recorded; a final one is returned unchanged. */
  previous?: DeployDecision;
  now: Date;
  /** Which signals are rates of counted events (default `DEFAULT_RATE_SIGNALS`). */
  rateSignals?: Readonly<Record<string, RateDefinition>>;
}

export const DisableReasons = { cohort: "cohort", probe: "probe" } as const;
export type DisableReason = (typeof DisableReasons)[keyof typeof DisableReasons];

export interface DisableFlagAction {
  type: "disable-flag";
  flag: string;
  reason: DisableReason;
  detail: string;
}

export type CheckSource = "gauge" | "prometheus" | "counts" | "none";
export type Judgement = "held" | "breached" | "pending";

export interface IntervalEvidence {
  from: string;
  to: string;
  /** The span the value was aggregated over; earlier than `from` when the interval alone had too few samples. */
  aggregatedFrom: string;
  value: number | null;
  samples: number;
  judgement: Judgement;
}

export interface CheckEvidence {
  signal: string;
  max: number | null;
  min: number | null;
  minSamples: number;
  source: CheckSource;
  /** The PromQL query the samples came from (source `prometheus`). */
  query: string | null;
  /** Samples since the deploy started (for counts: `per` events). */
  samples: number;
  /** The first judged interval that breached (null when none did). */
  firstBreach: IntervalEvidence | null;
  /** null until the check has `minSamples` samples; false once any judged interval breached. */
  held: boolean | null;
  intervals: IntervalEvidence[];
}

/** Where a flag's cohorts were read from: SDK `track()` counts, or pushed samples naming the flag. */
export const CohortSources = { counts: "counts", samples: "samples" } as const;
export type CohortSource = (typeof CohortSources)[keyof typeof CohortSources];

/** A cohort of counted events (source `counts`): `events` per `per` (e.g. errors per request). */
export interface CohortTally {
  variations: number[];
  events: number;
  per: number;
  rate: number | null;
}

/** A cohort of pushed gauge samples (source `samples`): how many, their mean and spread. */
export interface CohortSampleTally {
  variations: number[];
  samples: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null below two samples. */
  standardDeviation: number | null;
}

export interface ProportionTestEvidence {
  test: "two-proportion z-test, pooled, one-sided";
  alternative: "new > off" | "new < off";
  z: number;
  pValue: number;
  significance: number;
  minSamples: number;
}

export interface MeanTestEvidence {
  test: "Welch's t-test, one-sided";
  alternative: "new > off" | "new < off";
  /** (new mean − off mean) / standard error; null when it is infinite: neither cohort varies and their means differ. */
  t: number | null;
  /** Welch–Satterthwaite degrees of freedom (n_new + n_off − 2 when neither cohort varies). */
  df: number;
  pValue: number;
  significance: number;
  minSamples: number;
}

export type CohortVerdict = "explains" | "insufficient" | "no-data" | "clears";

interface CohortEvidenceBase {
  flag: string;
  signal: string;
  /** The span the cohorts were counted over: from the breach's start to the decided interval's end. */
  from: string;
  until: string;
  verdict: CohortVerdict;
  reason: string;
}

export interface CountCohortEvidence extends CohortEvidenceBase {
  source: "counts";
  new: CohortTally;
  off: CohortTally;
  test: ProportionTestEvidence | null;
}

export interface SampleCohortEvidence extends CohortEvidenceBase {
  source: "samples";
  new: CohortSampleTally;
  off: CohortSampleTally;
  test: MeanTestEvidence | null;
}

/** Decisions recorded before cohort samples were judged have no `source`: they are `counts`. */
export type CohortEvidence = CountCohortEvidence | SampleCohortEvidence;

export interface PropagationEvidence {
  version: number;
  acknowledged: number;
  connected: number;
  requiredRatio: number;
  /** When `acknowledgeRatio` of the connected instances served the version (null: not yet). */
  acknowledgedAt: string | null;
  seconds: number | null;
}

export interface FlagActionEvidence {
  flag: string;
  reason: DisableReason;
  decidedAt: string;
  /** With `decide-only` the engine never acts; someone else may turn the flag off. */
  taken: boolean;
  disabledAt: string | null;
  propagation: PropagationEvidence | null;
}

export interface DecisionEvidence {
  summary: string;
  window: { startedAt: string; endsAt: string; intervalSeconds: number; intervals: number; completed: number };
  checks: CheckEvidence[];
  cohorts: CohortEvidence[];
  flagActions: FlagActionEvidence[];
  recovery: { from: string; to: string; held: boolean } | null;
}

export interface DeployDecision {
  status: DeployStatus;
  final: boolean;
  /** The `now` this decision was computed at. */
  decidedAt: string;
  /** To apply now (never with `decide-only`; never twice for a flag already off). */
  actions: DisableFlagAction[];
  evidence: DecisionEvidence;
}

/**
 * How far the Prometheus source has sampled a deploy: intervals before `through` are settled (a
 * sample stored, or given up on); the engine decides no further than that.
 */
export interface PrometheusProgress {
  through: number;
  /** Since when Prometheus has not answered for interval `through` (null: it answers). */
  failingSince: string | null;
  /** The latest query that gave no sample, and why; cleared by an interval every query answered. */
  lastProblem: { at: string; interval: number; signal: string; message: string } | null;
}

export const DEFAULT_ACKNOWLEDGE_RATIO = 0.95;
export const DEFAULT_ACKNOWLEDGE_INTERVALS = 2;
export const DEFAULT_SIGNIFICANCE = 0.01;
export const DEFAULT_MIN_SAMPLES = { gauge: 1, counts: 100 } as const;
/** Below this many requests per cohort the normal approximation of the z-test is not trusted. */
export const MIN_COHORT_SAMPLES = 30;
/**
 * Below this many pushed samples per cohort the t-test is not trusted: a variance needs two, and
 * with two (one degree of freedom each) Welch's df can fall to 1, where p < 0.01 needs t > 31.8
 * and the result leans wholly on normality. Three give each variance two degrees of freedom.
 */
export const MIN_COHORT_GAUGE_SAMPLES = 3;
