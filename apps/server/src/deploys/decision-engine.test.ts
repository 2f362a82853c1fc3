import { describe, expect, it } from "vitest";
import { decide } from "./decision-engine";
import { BASE_GUARD, STARTED_AT, repeat, runScenario, type ScenarioModel, type TickResult } from "./testing/scenario-runner";
import type { DecisionInput, DeployStatus, DisableReason } from "./types";

/**
 * The scenario table. Each row: a deploy with a 300 s window of ten 30 s intervals and one
 * check, error_rate ≤ 0.02; traffic over several ticks (one per interval end); the status every
 * tick must produce and every flag-off action taken. Twenty SDK instances acknowledge a flag-off
 * 0.5 s after it unless a row says otherwise, so the flag-off made at the end of interval k is
 * acknowledged during interval k+1 and interval k+2 is the one that shows recovery.
 */

const times = (status: DeployStatus, n: number): DeployStatus[] => repeat(status, n);
const checkoutBadFrom2 = { key: "new-checkout", share: 0.5, extraErrorRate: 0.07, badFrom: 2 } as const;
const servesEveryone = { key: "new-checkout", share: 1, extraErrorRate: 0.07, badFrom: 2 } as const;
const badDeployFrom2 = (interval: number) => (interval >= 2 ? 0.08 : 0.01);
// Pushed latency: a check on latency_p99_ms ≤ 800 ms, service-wide samples and (unless a row says otherwise) 3 per flag variation an interval.
const latencyOnly: Omit<ScenarioModel, "flags" | "ticks"> = {
  guard: { checks: [{ signal: "latency_p99_ms", max: 800 }] },
  requestsPerInterval: 2000,
  baseErrorRate: 0.01,
  sdkCounts: false,
};
const pushedLatency = { baseMs: 400, perInterval: 3, cohortPerInterval: 3, jitterMs: 50 } as const;
const slowCheckoutFrom2 = { key: "new-checkout", share: 0.5, extraLatencyMs: 1000, badFrom: 2 } as const;

interface Row {
  name: string;
  model: ScenarioModel;
  statuses: DeployStatus[];
  actions: Array<{ tick: number; flag: string; reason: DisableReason }>;
}

const rows: Row[] = [
  {
    name: "bad flag: new cohort 8% errors, off cohort 1% → flag off, mitigated",
    model: { flags: [checkoutBadFrom2], requestsPerInterval: 2000, baseErrorRate: 0.01, ticks: 6 },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "mitigated", "mitigated"],
    actions: [{ tick: 2, flag: "new-checkout", reason: "cohort" }],
  },
  {
    name: "bad deploy: both cohorts 8% → rollback-required, no flag touched",
    model: { flags: [{ key: "new-checkout", share: 0.5 }], requestsPerInterval: 2000, baseErrorRate: badDeployFrom2, ticks: 5 },
    statuses: [...times("observing", 2), ...times("rollback-required", 3)],
    actions: [],
  },
  {
    name: "healthy: every check held for the whole window",
    model: { flags: [{ key: "new-checkout", share: 0.5 }], requestsPerInterval: 2000, baseErrorRate: 0.01, ticks: 11 },
    statuses: [...times("observing", 9), "healthy", "healthy"],
    actions: [],
  },
  {
    name: "noisy but healthy: single 6% samples average out over their interval",
    model: {
      flags: [{ key: "new-checkout", share: 0.5 }],
      requestsPerInterval: 2000,
      baseErrorRate: 0.01,
      gauge: { perInterval: 6, spikes: [1, 4, 5, 8].map((interval) => ({ interval, sample: 3, value: 0.06 })) },
      ticks: 10,
    },
    statuses: [...times("observing", 9), "healthy"],
    actions: [],
  },
  {
    name: "low traffic: 25% errors but never 100 requests → no decision, inconclusive at the window's end",
    model: { flags: [{ key: "new-checkout", share: 0.5 }], requestsPerInterval: 8, baseErrorRate: 0.25, ticks: 11 },
    statuses: [...times("observing", 9), "inconclusive", "inconclusive"],
    actions: [],
  },
  {
    name: "low traffic, bad deploy: judged at 100 requests, waits for 100 per cohort, then rollback-required",
    model: { flags: [{ key: "new-checkout", share: 0.5 }], requestsPerInterval: 25, baseErrorRate: 0.08, ticks: 9 },
    statuses: [...times("observing", 7), "rollback-required", "rollback-required"],
    actions: [],
  },
  {
    name: "a flag that turns bad late in the window: cohorts compared over the breach, not diluted → mitigated",
    model: { flags: [{ ...checkoutBadFrom2, badFrom: 8 }], requestsPerInterval: 2000, baseErrorRate: 0.01, ticks: 11 },
    statuses: [...times("observing", 8), "mitigating", "mitigating", "mitigated"],
    actions: [{ tick: 8, flag: "new-checkout", reason: "cohort" }],
  },
  {
    name: "two flags, one bad → only the bad one turned off",
    model: {
      flags: [
        { key: "new-search", share: 0.5 },
        { key: "new-checkout", share: 0.5, extraErrorRate: 0.07, badFrom: 2 },
      ],
      requestsPerInterval: 4000,
      baseErrorRate: 0.01,
      ticks: 5,
    },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "mitigated"],
    actions: [{ tick: 2, flag: "new-checkout", reason: "cohort" }],
  },
  {
    name: "flag-off acknowledged by only half the instances within 2 intervals → rollback-required",
    model: {
      flags: [checkoutBadFrom2],
      requestsPerInterval: 2000,
      baseErrorRate: 0.01,
      instances: [...repeat(500, 10), ...repeat(null, 10)],
      ticks: 6,
    },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "rollback-required", "rollback-required"],
    actions: [{ tick: 2, flag: "new-checkout", reason: "cohort" }],
  },
  {
    name: "breach persisting after the flag is off and acknowledged → rollback-required",
    model: {
      flags: [checkoutBadFrom2],
      requestsPerInterval: 2000,
      baseErrorRate: (_interval, off) => (off.has("new-checkout") ? 0.08 : 0.01),
      ticks: 5,
    },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "rollback-required"],
    actions: [{ tick: 2, flag: "new-checkout", reason: "cohort" }],
  },
  {
    name: "decide-only: names the flag, takes no action; nobody turns it off → rollback-required",
    model: { guard: { onBreach: "decide-only" }, flags: [checkoutBadFrom2], requestsPerInterval: 2000, baseErrorRate: 0.01, ticks: 5 },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "rollback-required"],
    actions: [],
  },
  {
    name: "decide-only: the pipeline turns the named flag off → mitigated",
    model: {
      guard: { onBreach: "decide-only" },
      flags: [checkoutBadFrom2],
      requestsPerInterval: 2000,
      baseErrorRate: 0.01,
      externalOff: [{ tick: 2, flag: "new-checkout" }],
      ticks: 5,
    },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "mitigated"],
    actions: [],
  },
  {
    name: "probe: the flag serves everyone (no off cohort), turning it off clears the breach → mitigated",
    model: { flags: [servesEveryone], requestsPerInterval: 2000, baseErrorRate: 0.01, ticks: 5 },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "mitigated"],
    actions: [{ tick: 2, flag: "new-checkout", reason: "probe" }],
  },
  {
    name: "probe on pushed gauges only (no SDK counts) → mitigated",
    model: {
      flags: [checkoutBadFrom2],
      requestsPerInterval: 2000,
      baseErrorRate: 0.01,
      sdkCounts: false,
      gauge: { perInterval: 3 },
      ticks: 5,
    },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "mitigated"],
    actions: [{ tick: 2, flag: "new-checkout", reason: "probe" }],
  },
  {
    name: "probe that does not help → rollback-required",
    model: { flags: [{ key: "new-checkout", share: 1 }], requestsPerInterval: 2000, baseErrorRate: badDeployFrom2, ticks: 5 },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "rollback-required"],
    actions: [{ tick: 2, flag: "new-checkout", reason: "probe" }],
  },
  {
    name: "probe disabled, or decide-only, with no cohort data → rollback-required at once",
    model: { guard: { probe: false }, flags: [servesEveryone], requestsPerInterval: 2000, baseErrorRate: 0.01, ticks: 3 },
    statuses: [...times("observing", 2), "rollback-required"],
    actions: [],
  },
  {
    name: "pushed latency cohorts: new variation 1400 ms, off 400 ms → flag off (cohort), mitigated",
    model: { ...latencyOnly, flags: [slowCheckoutFrom2], latency: pushedLatency, ticks: 5 },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "mitigated"],
    actions: [{ tick: 2, flag: "new-checkout", reason: "cohort" }],
  },
  {
    name: "pushed latency cohorts: both 1200 ms → rollback-required, no flag touched",
    model: {
      ...latencyOnly,
      flags: [{ key: "new-checkout", share: 0.5 }],
      latency: { ...pushedLatency, baseMs: (i) => (i >= 2 ? 1200 : 400) },
      ticks: 4,
    },
    statuses: [...times("observing", 2), ...times("rollback-required", 2)],
    actions: [],
  },
  {
    name: "pushed latency cohorts, one sample per variation an interval → observing until each cohort has 3, then flag off, mitigated",
    model: { ...latencyOnly, flags: [slowCheckoutFrom2], latency: { ...pushedLatency, cohortPerInterval: 1 }, ticks: 7 },
    statuses: [...times("observing", 4), "mitigating", "mitigating", "mitigated"],
    actions: [{ tick: 4, flag: "new-checkout", reason: "cohort" }],
  },
  {
    name: "pushed latency cohorts flat (new 850 ms vs off 790 ms, ± 100) → not significant, clears → rollback-required, no probe",
    model: {
      ...latencyOnly,
      flags: [{ ...slowCheckoutFrom2, extraLatencyMs: 60 }],
      latency: { ...pushedLatency, baseMs: 790, jitterMs: 100 },
      ticks: 3,
    },
    statuses: [...times("observing", 2), "rollback-required"],
    actions: [],
  },
  {
    name: "service-wide latency only, no cohort samples → probe, as before",
    model: { ...latencyOnly, flags: [slowCheckoutFrom2], latency: { ...pushedLatency, cohortPerInterval: 0 }, ticks: 5 },
    statuses: [...times("observing", 2), "mitigating", "mitigating", "mitigated"],
    actions: [{ tick: 2, flag: "new-checkout", reason: "probe" }],
  },
  {
    name: "final decisions stay final: a healthy deploy that breaks after its window stays healthy",
    model: { flags: [{ ...checkoutBadFrom2, badFrom: 10 }], requestsPerInterval: 2000, baseErrorRate: 0.01, ticks: 14 },
    statuses: [...times("observing", 9), ...times("healthy", 5)],
    actions: [],
  },
];

function actionsOf(results: TickResult[]) {
  return results.flatMap(({ tick, decision }) => decision.actions.map((a) => ({ tick, flag: a.flag, reason: a.reason })));
}

describe("decision engine scenarios", () => {
  it.each(rows)("$name", ({ model, statuses, actions }) => {
    const results = runScenario(model);
    expect(results.map((r) => r.decision.status)).toStrictEqual(statuses);
    expect(actionsOf(results)).toStrictEqual(actions);
    for (const { decision } of results) {
      expect(decision.final).toBe(!["observing", "mitigating"].includes(decision.status));
      expect(decision.evidence.summary.startsWith(`${decision.status}: `)).toBe(true);
    }
  });
});

function decisionAt(model: ScenarioModel, tick: number) {
  const result = runScenario(model)[tick];
  if (result === undefined) throw new Error(`no tick ${tick}`);
  return result.decision;
}

describe("decision evidence", () => {
  const badFlag: ScenarioModel = { flags: [checkoutBadFrom2], requestsPerInterval: 2000, baseErrorRate: 0.01, ticks: 5 };

  it("records the breach, the cohort test and the flag-off when it acts", () => {
    const decision = decisionAt(badFlag, 2);
    expect(decision.actions).toStrictEqual([
      {
        type: "disable-flag",
        flag: "new-checkout",
        reason: "cohort",
        detail: expect.stringContaining("new 8.0% of 1000 vs off 1.0% of 1000"),
      },
    ]);
    const [check] = decision.evidence.checks;
    expect(check).toMatchObject({ signal: "error_rate", max: 0.02, source: "counts", minSamples: 100, samples: 6000, held: false });
    expect(check?.firstBreach).toMatchObject({ from: "2025-03-01T12:01:00.000Z", value: 0.045, samples: 2000, judgement: "breached" });
    expect(decision.evidence.cohorts).toStrictEqual([
      {
        flag: "new-checkout",
        signal: "error_rate",
        from: "2025-03-01T12:01:00.000Z",
        until: "2025-03-01T12:01:30.000Z",
        source: "counts",
        new: { variations: [0], events: 80, per: 1000, rate: 0.08 },
        off: { variations: [1], events: 10, per: 1000, rate: 0.01 },
        test: {
          test: "two-proportion z-test, pooled, one-sided",
          alternative: "new > off",
          z: expect.closeTo(7.5505, 4),
          pValue: expect.closeTo(0, 12),
          significance: 0.01,
          minSamples: 100,
        },
        verdict: "explains",
        reason: "the new cohort breaches, the off cohort does not, and the difference is significant",
      },
    ]);
    expect(decision.evidence.flagActions).toStrictEqual([
      { flag: "new-checkout", reason: "cohort", decidedAt: "2025-03-01T12:01:30.000Z", taken: true, disabledAt: null, propagation: null },
    ]);
  });

  it("records the propagation and the recovery interval once mitigated", () => {
    const decision = decisionAt(badFlag, 4);
    expect(decision.final).toBe(true);
    expect(decision.evidence.flagActions[0]).toStrictEqual({
      flag: "new-checkout",
      reason: "cohort",
      decidedAt: "2025-03-01T12:01:30.000Z",
      taken: true,
      disabledAt: "2025-03-01T12:01:31.000Z",
      propagation: {
        version: 11,
        acknowledged: 20,
        connected: 20,
        requiredRatio: 0.95,
        acknowledgedAt: "2025-03-01T12:01:31.500Z",
        seconds: 0.5,
      },
    });
    expect(decision.evidence.recovery).toStrictEqual({ from: "2025-03-01T12:02:00.000Z", to: "2025-03-01T12:02:30.000Z", held: true });
    expect(decision.evidence.summary).toBe(
      "mitigated: error_rate 0.045 > max 0.02 over 2000 samples; explained by new-checkout (new 8.0% of 1000 vs off 1.0% of 1000, z=7.55, p<0.0001); " +
        "new-checkout off (version 11), acknowledged by 20 of 20 instances in 0.5 s; then error_rate 0.01 over 2000 samples",
    );
  });

  it("decide-only names the flag it would turn off and marks it not taken", () => {
    const decision = decisionAt({ ...badFlag, guard: { onBreach: "decide-only" } }, 2);
    expect(decision).toMatchObject({ status: "mitigating", final: false, actions: [] });
    expect(decision.evidence.flagActions).toMatchObject([{ flag: "new-checkout", reason: "cohort", taken: false, disabledAt: null }]);
    expect(decision.evidence.summary).toContain("decide-only: not turning it off — turn off new-checkout or roll back");
  });

  it("two flags: the innocent flag's cohorts are reported as clearing it", () => {
    const model: ScenarioModel = { ...badFlag, flags: [{ key: "new-search", share: 0.5 }, checkoutBadFrom2], requestsPerInterval: 4000 };
    const search = decisionAt(model, 2).evidence.cohorts.find((c) => c.flag === "new-search");
    expect(search).toMatchObject({ verdict: "clears", reason: "the off cohort breaches too", new: { rate: 0.045 }, off: { rate: 0.045 } });
  });

  it("records the pushed sample cohorts it compared, and why the flat ones clear", () => {
    const decision = decisionAt({ ...latencyOnly, flags: [slowCheckoutFrom2], latency: pushedLatency, ticks: 3 }, 2);
    expect(decision.evidence.cohorts).toStrictEqual([
      {
        flag: "new-checkout",
        signal: "latency_p99_ms",
        from: "2025-03-01T12:01:00.000Z",
        until: "2025-03-01T12:01:30.000Z",
        source: "samples",
        new: { variations: [0], samples: 3, mean: 1400, standardDeviation: 50 },
        off: { variations: [1], samples: 3, mean: 400, standardDeviation: 50 },
        test: {
          test: "Welch's t-test, one-sided",
          alternative: "new > off",
          t: expect.closeTo(24.4949, 4),
          df: 4,
          pValue: expect.closeTo(8.2415e-6, 9),
          significance: 0.01,
          minSamples: 3,
        },
        verdict: "explains",
        reason: "the new cohort breaches, the off cohort does not, and the difference is significant",
      },
    ]);
    expect(decision.actions[0]?.detail).toBe(
      "latency_p99_ms 900 > max 800 over 3 samples; explained by new-checkout (new mean 1400 of 3 samples vs off 400 of 3, t=24.49, df=4.0, p<0.0001)",
    );
    const flat = decisionAt(
      {
        ...latencyOnly,
        flags: [{ ...slowCheckoutFrom2, extraLatencyMs: 60 }],
        latency: { ...pushedLatency, baseMs: 790, jitterMs: 100 },
        ticks: 3,
      },
      2,
    );
    expect(flat.evidence.cohorts[0]).toMatchObject({
      source: "samples",
      verdict: "clears",
      reason: "the difference is not significant (p ≥ 0.01)",
      test: { pValue: expect.closeTo(0.25159, 5) },
    });
    expect(flat.evidence.summary).toBe("rollback-required: latency_p99_ms 820 > max 800 over 3 samples, and no guarded flag explains it");
  });

  it("averages a spike inside its interval: one 6% sample, interval mean under 2%", () => {
    const noisy: ScenarioModel = {
      ...badFlag,
      flags: [],
      gauge: { perInterval: 6, spikes: [{ interval: 1, sample: 3, value: 0.06 }] },
      ticks: 10,
    };
    const [check] = decisionAt(noisy, 9).evidence.checks;
    expect(check).toMatchObject({ source: "gauge", samples: 60, held: true });
    expect(check?.intervals[1]).toMatchObject({ value: expect.closeTo(0.01833, 5), samples: 6, judgement: "held" });
  });

  it("low traffic: reports how far short of minSamples the window ended", () => {
    const decision = decisionAt(
      { flags: [{ key: "new-checkout", share: 0.5 }], requestsPerInterval: 8, baseErrorRate: 0.25, ticks: 10 },
      9,
    );
    expect(decision.evidence.summary).toBe("inconclusive: too few samples by the window's end (error_rate 80 of 100)");
    expect(decision.evidence.checks[0]).toMatchObject({ samples: 80, held: null, firstBreach: null });
    expect(decision.evidence.checks[0]?.intervals.every((i) => i.judgement === "pending")).toBe(true);
  });
});

describe("decide", () => {
  const input: DecisionInput = {
    guard: BASE_GUARD,
    startedAt: STARTED_AT,
    flags: [{ key: "new-checkout", offVariation: 1 }],
    samples: [],
    counts: [],
    flagsOff: [],
    propagation: [],
    now: new Date(STARTED_AT.getTime() + 400_000),
  };

  it("returns a final previous decision unchanged, whatever the inputs say", () => {
    const inconclusive = decide(input);
    expect(inconclusive).toMatchObject({ status: "inconclusive", final: true });
    const bad = Array.from({ length: 10 }, (_, i) => ({
      signal: "error_rate",
      value: 0.5,
      at: new Date(STARTED_AT.getTime() + i * 30_000),
    }));
    const unguarded = { ...input, flags: [], samples: bad };
    expect(decide(unguarded)).toMatchObject({ status: "rollback-required" });
    expect(decide({ ...unguarded, previous: inconclusive })).toBe(inconclusive);
  });

  it("reaches the same decision without the previous one: a restarted service replays the inputs", () => {
    const model: ScenarioModel = { flags: [checkoutBadFrom2], requestsPerInterval: 2000, baseErrorRate: 0.01, ticks: 5 };
    for (const { input, decision } of runScenario(model)) {
      if (input.previous?.final === true) continue;
      const { previous: _previous, ...fresh } = input;
      expect(decide(fresh)).toStrictEqual(decision);
    }
  });

  it("judges a Prometheus check on its query's samples only: SDK counts explain the breach but do not stand in for it", () => {
    const query = "sum(rate(errors_total[$interval])) / sum(rate(requests_total[$interval]))";
    const guard = { ...BASE_GUARD, checks: [{ signal: "error_rate", max: 0.02, query }] };
    const sample = (interval: number, value: number) => ({
      signal: "error_rate",
      value,
      at: new Date(STARTED_AT.getTime() + (interval + 1) * 30_000 - 1),
    });
    const counts = (event: string, variation: number, count: number) => ({
      event,
      count,
      at: new Date(STARTED_AT.getTime() + 45_000),
      flag: "new-checkout",
      variation,
    });
    const badCohort = [counts("request", 0, 1000), counts("error", 0, 90), counts("request", 1, 1000), counts("error", 1, 10)];
    const now = new Date(STARTED_AT.getTime() + 60_000);
    // Counts alone would breach; without query samples the check stays pending.
    const waiting = decide({ ...input, guard, counts: badCohort, now });
    expect(waiting).toMatchObject({ status: "observing" });
    expect(waiting.evidence.checks[0]).toMatchObject({ source: "prometheus", query, samples: 0, held: null });
    // The query breaches in interval 1; the cohorts name the flag.
    const decided = decide({ ...input, guard, counts: badCohort, samples: [sample(0, 0.01), sample(1, 0.05)], now });
    expect(decided).toMatchObject({ status: "mitigating", actions: [{ type: "disable-flag", flag: "new-checkout", reason: "cohort" }] });
    expect(decided.evidence.checks[0]).toMatchObject({
      source: "prometheus",
      samples: 2,
      firstBreach: { value: 0.05, judgement: "breached" },
    });
  });

  it("ignores samples from before the deploy started and does not judge an unfinished interval", () => {
    const early = { signal: "error_rate", value: 0.9, at: new Date(STARTED_AT.getTime() - 1000) };
    const partial = { signal: "error_rate", value: 0.9, at: new Date(STARTED_AT.getTime() + 5000) };
    const decision = decide({ ...input, samples: [early, partial], now: new Date(STARTED_AT.getTime() + 29_000) });
    expect(decision).toMatchObject({ status: "observing", final: false, actions: [] });
    expect(decision.evidence.checks[0]).toMatchObject({ samples: 0, intervals: [] });
  });
});
