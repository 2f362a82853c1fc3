import { buildSeries, completedIntervals, judge, samplesThrough, type CheckSeries, type Direction, type Interval } from "./checks";
import { cohortSamples, testCohorts, testSampleCohorts } from "./cohort-test";
import { checkEvidence, describeCohort, describeFlagOff, describeJudged, flagActionEvidence, listFlags } from "./evidence";
import { acknowledgement, type Acknowledgement } from "./propagation";
import {
  BreachResponses,
  DEFAULT_ACKNOWLEDGE_INTERVALS,
  DEFAULT_ACKNOWLEDGE_RATIO,
  DEFAULT_RATE_SIGNALS,
  DEFAULT_SIGNIFICANCE,
  DeployStatuses,
  DisableReasons,
  type CohortEvidence,
  type CohortVerdict,
  type DecisionInput,
  type DeployDecision,
  type DeployStatus,
  type DisableFlagAction,
  type DisableReason,
  type FlagActionEvidence,
  type FlagOff,
  type RateDefinition,
} from "./types";

interface Context {
  input: DecisionInput;
  startMs: number;
  intervalMs: number;
  nowMs: number;
  windowIntervals: number;
  ackRatio: number;
  ackIntervals: number;
  probe: boolean;
  significance: number;
  grid: Interval[];
  series: CheckSeries[];
}

/** Breached checks (index into `series`): the bound each crossed first, and since which interval. */
type Breaches = Map<number, { direction: Direction; fromIndex: number }>;

type Explanation =
  | { kind: "act"; flags: string[]; reason: DisableReason; cohorts: CohortEvidence[] }
  | { kind: "wait"; flags: string[]; cohorts: CohortEvidence[] }
  | { kind: "rollback"; cohorts: CohortEvidence[] };

interface Outcome {
  status: DeployStatus;
  summary: string;
  throughIndex: number;
  cohorts: CohortEvidence[];
  actions?: DisableFlagAction[];
  flagActions?: FlagActionEvidence[];
  recovery?: { fromIndex: number; toIndex: number; held: boolean };
}

const FINAL: ReadonlySet<DeployStatus> = new Set([
  DeployStatuses.healthy,
  DeployStatuses.mitigated,
  DeployStatuses.rollbackRequired,
  DeployStatuses.inconclusive,
]);
const VERDICT_RANK: Record<CohortVerdict, number> = { explains: 3, insufficient: 2, "no-data": 1, clears: 0 };

/*
 * Rules, per completed interval of the grid that starts at the deploy's start:
 * - every check judged on its interval aggregate (see `judge`) and none breached through the
 *   window → healthy; a check short of `minSamples` by the window's end → inconclusive;
 * - a breach → test each guarded flag's cohorts (see `explain`): flags that explain it are
 *   turned off (`disable-flags`) or named (`decide-only`) → mitigating; cohorts still too small
 *   → keep observing (rollback-required if the window ends so); flags without cohort data are
 *   probed (turned off) when allowed; otherwise → rollback-required;
 * - mitigating → each flag off and acknowledged within `acknowledgeIntervals` intervals, else
 *   rollback-required; then the first whole interval after acknowledgement: held → mitigated,
 *   breached → rollback-required, too few samples for `acknowledgeIntervals` → inconclusive.
 */

/**
 * The deploy decision at `now`: a pure function of the guard, every sample and count since the
 * deploy started, the flag-offs made and their propagation. It replays the interval grid from
 * the start, so a restarted service reaches the same decision; a final one is never revisited.
 */
export function decide(input: DecisionInput): DeployDecision {
  if (input.previous?.final === true) return input.previous;
  const ctx = resolve(input);
  return render(ctx, observe(ctx));
}

function resolve(input: DecisionInput): Context {
  const { guard } = input;
  if (!(guard.intervalSeconds > 0 && guard.windowSeconds >= guard.intervalSeconds)) {
    throw new RangeError("guard: intervalSeconds must be > 0 and windowSeconds ≥ intervalSeconds (validate before deciding)");
  }
  const startMs = input.startedAt.getTime();
  const intervalMs = guard.intervalSeconds * 1000;
  const nowMs = input.now.getTime();
  const grid = completedIntervals(startMs, intervalMs, nowMs);
  const rates = input.rateSignals ?? DEFAULT_RATE_SIGNALS;
  const guardedFlags = new Set(input.flags.map((f) => f.key));
  const series = guard.checks.map((check) =>
    buildSeries(check, {
      startMs,
      intervalMs,
      intervals: grid.length,
      samples: input.samples,
      counts: input.counts,
      guardedFlags,
      rate: rateFor(rates, check.signal),
    }),
  );
  return {
    input,
    startMs,
    intervalMs,
    nowMs,
    // A window that is not a whole number of intervals is rounded up to one.
    windowIntervals: Math.max(1, Math.ceil(guard.windowSeconds / guard.intervalSeconds)),
    ackRatio: guard.acknowledgeRatio ?? DEFAULT_ACKNOWLEDGE_RATIO,
    ackIntervals: guard.acknowledgeIntervals ?? DEFAULT_ACKNOWLEDGE_INTERVALS,
    probe: guard.probe ?? true,
    significance: guard.significance ?? DEFAULT_SIGNIFICANCE,
    grid,
    series,
  };
}

function rateFor(rates: Readonly<Record<string, RateDefinition>>, signal: string): RateDefinition | undefined {
  return Object.hasOwn(rates, signal) ? rates[signal] : undefined;
}

/** Walks the completed intervals until something is decided: healthy, a breach's remedy, or the window's end. */
function observe(ctx: Context): Outcome {
  const breaches: Breaches = new Map();
  let cohorts: CohortEvidence[] = [];
  let waitingFor: string[] = [];
  let breachLine = "";
  for (const interval of ctx.grid) {
    const k = interval.index;
    ctx.series.forEach((series, i) => {
      const judged = judge(series, k, 0);
      if (judged.direction === null || breaches.has(i)) return;
      breaches.set(i, { direction: judged.direction, fromIndex: judged.fromIndex });
      breachLine = breachLine === "" ? describeJudged(series, judged) : `${breachLine}; ${describeJudged(series, judged)}`;
    });
    if (breaches.size > 0) {
      const explanation = explain(ctx, breaches, interval.to);
      cohorts = explanation.cohorts;
      if (explanation.kind === "act") return mitigate(ctx, explanation, breaches, k, breachLine);
      if (explanation.kind === "rollback") {
        return {
          status: DeployStatuses.rollbackRequired,
          summary: `${breachLine}, and no guarded flag explains it`,
          throughIndex: k,
          cohorts,
        };
      }
      waitingFor = explanation.flags;
    }
    if (k === ctx.windowIntervals - 1) return windowEnd(ctx, k, breaches.size > 0, breachLine, cohorts);
  }
  const through = ctx.grid.length - 1;
  const summary =
    breaches.size > 0
      ? `${breachLine}; waiting for enough cohort samples to judge ${listFlags(waitingFor)}`
      : `${ctx.grid.length} of ${ctx.windowIntervals} intervals observed, no check breached`;
  return { status: DeployStatuses.observing, summary, throughIndex: through, cohorts };
}

function windowEnd(ctx: Context, k: number, breached: boolean, breachLine: string, cohorts: CohortEvidence[]): Outcome {
  if (breached) {
    return {
      status: DeployStatuses.rollbackRequired,
      summary: `${breachLine}, and by the window's end no guarded flag's cohorts explained it`,
      throughIndex: k,
      cohorts,
    };
  }
  const short = ctx.series.filter((s) => samplesThrough(s, k) < s.minSamples);
  if (short.length > 0) {
    const detail = short.map((s) => `${s.check.signal} ${samplesThrough(s, k)} of ${s.minSamples}`).join(", ");
    return { status: DeployStatuses.inconclusive, summary: `too few samples by the window's end (${detail})`, throughIndex: k, cohorts };
  }
  const detail = ctx.series.map((s) => `${s.check.signal} over ${samplesThrough(s, k)} samples`).join(", ");
  return { status: DeployStatuses.healthy, summary: `every check held for the whole window (${detail})`, throughIndex: k, cohorts };
}

/**
 * Which guarded flags explain the breach? Flags whose cohorts explain it are turned off; while
 * a flag's cohorts are still too small, wait; flags without cohorts may be probed; otherwise
 * nothing a flag can do explains it.
 *
 * Each flag is judged per breached check over the breach's span (its start to `untilMs`). If
 * samples of the check's signal pushed naming the flag fall in that span, the flag is judged on
 * them alone (`testSampleCohorts`: the means of its new and off variations, Welch's t-test), as
 * a pipeline measuring each cohort knows better than SDK counts, which only make rates; without
 * such samples, on the SDK counts (`testCohorts`: rates, the two-proportion z-test).
 */
function explain(ctx: Context, breaches: Breaches, untilMs: number): Explanation {
  const cohorts: CohortEvidence[] = [];
  const verdicts = new Map<string, CohortVerdict>();
  const rates = ctx.input.rateSignals ?? DEFAULT_RATE_SIGNALS;
  for (const flag of ctx.input.flags) {
    for (const [i, { direction, fromIndex }] of breaches) {
      const check = ctx.series[i]?.check;
      if (check === undefined) continue;
      // Cohorts are compared over the breach (from where its aggregate began), not diluted by the healthy time before it.
      const span = { flag, check, direction, fromMs: ctx.startMs + fromIndex * ctx.intervalMs, untilMs, significance: ctx.significance };
      const pushed = cohortSamples(ctx.input.samples, span);
      const evidence =
        pushed.length > 0
          ? testSampleCohorts({ ...span, samples: pushed })
          : testCohorts({ ...span, rate: rateFor(rates, check.signal), counts: ctx.input.counts });
      cohorts.push(evidence);
      const previous = verdicts.get(flag.key);
      if (previous === undefined || VERDICT_RANK[evidence.verdict] > VERDICT_RANK[previous]) verdicts.set(flag.key, evidence.verdict);
    }
  }
  const flagsWith = (verdict: CohortVerdict) => [...verdicts].filter(([, v]) => v === verdict).map(([flag]) => flag);
  const explaining = flagsWith("explains");
  if (explaining.length > 0) return { kind: "act", flags: explaining, reason: DisableReasons.cohort, cohorts };
  const insufficient = flagsWith("insufficient");
  if (insufficient.length > 0) return { kind: "wait", flags: insufficient, cohorts };
  const unknown = flagsWith("no-data");
  if (unknown.length > 0 && ctx.probe && ctx.input.guard.onBreach === BreachResponses.disableFlags) {
    return { kind: "act", flags: unknown, reason: DisableReasons.probe, cohorts };
  }
  return { kind: "rollback", cohorts };
}

interface FlagState {
  flag: string;
  off: FlagOff | undefined;
  ack: Acknowledgement | undefined;
}

/**
 * After deciding to turn flags off: wait until each is off and acknowledged (within
 * `acknowledgeIntervals` intervals), then judge the first whole interval after that on its own
 * samples — held is `mitigated`, breached is `rollback-required`.
 */
function mitigate(
  ctx: Context,
  explanation: Extract<Explanation, { kind: "act" }>,
  breaches: Breaches,
  decidedIndex: number,
  breachLine: string,
): Outcome {
  const { guard, flagsOff, propagation } = ctx.input;
  const decideOnly = guard.onBreach === BreachResponses.decideOnly;
  const decidedAtMs = ctx.grid[decidedIndex]?.to ?? ctx.nowMs;
  const limitMs = ctx.ackIntervals * ctx.intervalMs;
  const states: FlagState[] = explanation.flags.map((flag) => {
    const off = flagsOff.find((o) => o.flag === flag);
    const ack =
      off === undefined
        ? undefined
        : acknowledgement(
            off,
            propagation.find((p) => p.flag === flag),
            ctx.ackRatio,
            ctx.nowMs,
          );
    return { flag, off, ack };
  });
  const explaining = explanation.cohorts.filter((c) => c.verdict === "explains").map(describeCohort);
  const why =
    explanation.reason === DisableReasons.probe
      ? `no cohort data, probing ${listFlags(explanation.flags)}`
      : `explained by ${explaining.join("; ")}`;
  const base = {
    cohorts: explanation.cohorts,
    flagActions: states.map((s) => flagActionEvidence({ ...s, reason: explanation.reason, decidedAtMs, taken: !decideOnly })),
  };
  const timedOut = states.filter((s) => {
    const startMs = decideOnly ? decidedAtMs : s.off?.disabledAt.getTime();
    if (startMs === undefined) return false; // not applied yet: the action is issued again below
    const ackAtMs = s.ack?.acknowledgedAtMs ?? null;
    return ackAtMs === null ? ctx.nowMs >= startMs + limitMs : ackAtMs > startMs + limitMs;
  });
  if (timedOut.length > 0) {
    const late = listFlags(timedOut.map((s) => s.flag));
    const what = decideOnly
      ? `was not turned off and acknowledged`
      : `was not acknowledged by ${ctx.ackRatio * 100}% of connected instances`;
    return {
      ...base,
      status: DeployStatuses.rollbackRequired,
      summary: `${breachLine}; ${why}, but ${late} ${what} within ${ctx.ackIntervals} intervals`,
      throughIndex: ctx.grid.length - 1,
    };
  }
  const pending = states.filter((s) => (s.ack?.acknowledgedAtMs ?? null) === null);
  if (pending.length > 0) {
    const actions = decideOnly
      ? []
      : pending.filter((s) => s.off === undefined).map((s) => disableAction(s.flag, explanation.reason, `${breachLine}; ${why}`));
    const next = decideOnly
      ? `decide-only: not turning it off — turn off ${listFlags(pending.map((s) => s.flag))} or roll back`
      : `turning off ${listFlags(pending.map((s) => s.flag))}, waiting for acknowledgement`;
    return {
      ...base,
      actions,
      status: DeployStatuses.mitigating,
      summary: `${breachLine}; ${why}; ${next}`,
      throughIndex: ctx.grid.length - 1,
    };
  }
  const acknowledgedAtMs = Math.max(...states.map((s) => s.ack?.acknowledgedAtMs ?? ctx.nowMs));
  const recoveryIndex = Math.ceil((acknowledgedAtMs - ctx.startMs) / ctx.intervalMs);
  const off = states.map((s) => describeFlagOff(s.flag, s.ack?.evidence)).join("; ");
  for (const interval of ctx.grid.slice(recoveryIndex)) {
    const judged = ctx.series.map((series) => judge(series, interval.index, recoveryIndex));
    const recovery = (held: boolean) => ({ fromIndex: recoveryIndex, toIndex: interval.index, held });
    const persisting = judged.findIndex((j) => j.judgement === "breached");
    const series = ctx.series[persisting];
    const persisted = judged[persisting];
    if (series !== undefined && persisted !== undefined) {
      const summary = `${breachLine}; ${why}; the breach persists after ${off}: ${describeJudged(series, persisted)}`;
      return { ...base, status: DeployStatuses.rollbackRequired, summary, throughIndex: interval.index, recovery: recovery(false) };
    }
    if ([...breaches.keys()].every((i) => judged[i]?.judgement === "held")) {
      const after = ctx.series
        .flatMap((series, i) => (judged[i]?.judgement === "held" ? [describeJudged(series, judged[i])] : []))
        .join(", ");
      return {
        ...base,
        status: DeployStatuses.mitigated,
        summary: `${breachLine}; ${why}; ${off}; then ${after}`,
        throughIndex: interval.index,
        recovery: recovery(true),
      };
    }
  }
  if (ctx.grid.length - recoveryIndex >= ctx.ackIntervals) {
    const summary = `${breachLine}; ${why}; ${off}, but too few samples since to tell whether the breach cleared`;
    return { ...base, status: DeployStatuses.inconclusive, summary, throughIndex: ctx.grid.length - 1 };
  }
  return {
    ...base,
    status: DeployStatuses.mitigating,
    summary: `${breachLine}; ${why}; ${off}, watching one interval for recovery`,
    throughIndex: ctx.grid.length - 1,
  };
}

function disableAction(flag: string, reason: DisableReason, detail: string): DisableFlagAction {
  return { type: "disable-flag", flag, reason, detail };
}

function render(ctx: Context, outcome: Outcome): DeployDecision {
  const recoveryIndex = outcome.recovery?.fromIndex ?? null;
  const iso = (ms: number) => new Date(ms).toISOString();
  const recovery = outcome.recovery;
  return {
    status: outcome.status,
    final: FINAL.has(outcome.status),
    decidedAt: iso(ctx.nowMs),
    actions: outcome.actions ?? [],
    evidence: {
      summary: `${outcome.status}: ${outcome.summary}`,
      window: {
        startedAt: iso(ctx.startMs),
        endsAt: iso(ctx.startMs + ctx.windowIntervals * ctx.intervalMs),
        intervalSeconds: ctx.input.guard.intervalSeconds,
        intervals: ctx.windowIntervals,
        completed: ctx.grid.length,
      },
      checks: ctx.series.map((series) => checkEvidence(series, ctx.grid, outcome.throughIndex, recoveryIndex)),
      cohorts: outcome.cohorts,
      flagActions: outcome.flagActions ?? [],
      recovery:
        recovery === undefined
          ? null
          : {
              from: iso(ctx.startMs + recovery.fromIndex * ctx.intervalMs),
              to: iso(ctx.startMs + (recovery.toIndex + 1) * ctx.intervalMs),
              held: recovery.held,
            },
    },
  };
}
