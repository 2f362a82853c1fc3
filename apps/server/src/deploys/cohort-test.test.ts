import { describe, expect, it } from "vitest";
import { testCohorts, testSampleCohorts, type CohortTestInput, type SampleCohortTestInput } from "./cohort-test";
import { describeCohort } from "./evidence";
import type { CohortCount, GaugeSample } from "./types";

const at = new Date("2025-03-01T12:01:10.000Z");
const fromMs = Date.parse("2025-03-01T12:01:00.000Z");
const untilMs = Date.parse("2025-03-01T12:01:30.000Z");

function cohortCounts(flag: string, rows: Array<[variation: number, event: string, count: number]>, when = at): CohortCount[] {
  return rows.map(([variation, event, count]) => ({ flag, variation, event, count, at: when }));
}

function input(counts: CohortCount[], overrides: Partial<CohortTestInput> = {}): CohortTestInput {
  return {
    flag: { key: "new-checkout", offVariation: 1 },
    check: { signal: "error_rate", max: 0.02 },
    direction: "above",
    rate: { event: "error", per: "request" },
    counts,
    fromMs,
    untilMs,
    significance: 0.01,
    ...overrides,
  };
}

describe("testCohorts", () => {
  it("explains a breach when the new cohort alone crosses the bound, significantly", () => {
    const result = testCohorts(
      input(
        cohortCounts("new-checkout", [
          [0, "request", 1000],
          [0, "error", 80],
          [1, "request", 1000],
          [1, "error", 10],
        ]),
      ),
    );
    expect(result.verdict).toBe("explains");
    expect(result.test).toMatchObject({ alternative: "new > off", z: expect.closeTo(7.5505, 4), minSamples: 100 });
  });

  it("pools every non-off variation into the new cohort", () => {
    const rows: Array<[number, string, number]> = [
      [0, "request", 500],
      [0, "error", 40],
      [2, "request", 500],
      [2, "error", 40],
      [1, "request", 1000],
      [1, "error", 10],
    ];
    const result = testCohorts(input(cohortCounts("new-checkout", rows)));
    expect(result.new).toStrictEqual({ variations: [0, 2], events: 80, per: 1000, rate: 0.08 });
    expect(result.verdict).toBe("explains");
  });

  it("tests the other tail for a `min` check (a success rate that dropped)", () => {
    const counts = cohortCounts("new-checkout", [
      [0, "request", 1000],
      [0, "success", 920],
      [1, "request", 1000],
      [1, "success", 990],
    ]);
    const result = testCohorts(
      input(counts, { check: { signal: "success_rate", min: 0.98 }, direction: "below", rate: { event: "success", per: "request" } }),
    );
    expect(result.verdict).toBe("explains");
    expect(result.test).toMatchObject({ alternative: "new < off", z: expect.closeTo(-7.5505, 4), pValue: expect.closeTo(2.168e-14, 16) });
  });

  it.each([
    [
      "both cohorts breach",
      "clears",
      "the off cohort breaches too",
      [
        [0, "request", 1000],
        [0, "error", 80],
        [1, "request", 1000],
        [1, "error", 70],
      ],
    ],
    [
      "the new cohort is within the bound",
      "clears",
      "the new cohort is within the bound",
      [
        [0, "request", 1000],
        [0, "error", 15],
        [1, "request", 1000],
        [1, "error", 5],
      ],
    ],
    [
      "3% vs 1% of 100 is not significant (p = 0.156)",
      "clears",
      "the difference is not significant (p ≥ 0.01)",
      [
        [0, "request", 100],
        [0, "error", 3],
        [1, "request", 100],
        [1, "error", 1],
      ],
    ],
    [
      "nobody got the new variation",
      "clears",
      'no "request" event came from a new variation',
      [
        [1, "request", 1000],
        [1, "error", 80],
      ],
    ],
    [
      "cohorts under 100 requests",
      "insufficient",
      'each cohort needs 100 "request" events (new 60, off 60)',
      [
        [0, "request", 60],
        [0, "error", 30],
        [1, "request", 60],
      ],
    ],
    [
      "everybody got the new variation",
      "no-data",
      'every "request" event came from a new variation: no control cohort',
      [
        [0, "request", 1000],
        [0, "error", 80],
      ],
    ],
    ["no counts for the flag", "no-data", 'no "request" events counted for this flag', []],
  ] as const)("%s → %s", (_name, verdict, reason, rows) => {
    const result = testCohorts(
      input(
        cohortCounts(
          "new-checkout",
          rows.map(([v, e, c]) => [v, e, c]),
        ),
      ),
    );
    expect(result).toMatchObject({ verdict, reason });
  });

  it("cannot judge a signal that is not counted per cohort", () => {
    const result = testCohorts(input([], { check: { signal: "latency_p99_ms", max: 800 }, rate: undefined }));
    expect(result).toMatchObject({ verdict: "no-data", reason: "latency_p99_ms is not counted per cohort", test: null });
  });

  it("counts only the breach's span and only this flag", () => {
    const before = cohortCounts(
      "new-checkout",
      [
        [0, "request", 5000],
        [1, "request", 5000],
      ],
      new Date(fromMs - 1),
    );
    const atEnd = cohortCounts("new-checkout", [[0, "request", 5000]], new Date(untilMs));
    const other = cohortCounts("new-search", [
      [0, "request", 5000],
      [1, "request", 5000],
    ]);
    const inside = cohortCounts("new-checkout", [
      [0, "request", 1000],
      [0, "error", 80],
      [1, "request", 1000],
      [1, "error", 10],
    ]);
    const result = testCohorts(input([...before, ...atEnd, ...other, ...inside]));
    expect(result).toMatchObject({
      from: "2025-03-01T12:01:00.000Z",
      until: "2025-03-01T12:01:30.000Z",
      new: { per: 1000 },
      off: { per: 1000 },
    });
  });

  it("never trusts fewer than 30 requests per cohort, whatever minSamples says", () => {
    const rows: Array<[number, string, number]> = [
      [0, "request", 20],
      [0, "error", 20],
      [1, "request", 20],
    ];
    const result = testCohorts(input(cohortCounts("new-checkout", rows), { check: { signal: "error_rate", max: 0.02, minSamples: 5 } }));
    expect(result).toMatchObject({ verdict: "insufficient", reason: 'each cohort needs 30 "request" events (new 20, off 20)' });
  });
});

describe("testSampleCohorts", () => {
  const latency = { signal: "latency_p99_ms", max: 800 };

  function samples(flag: string, rows: Array<[variation: number | undefined, values: number[]]>, when = at): GaugeSample[] {
    return rows.flatMap(([variation, values]) =>
      values.map((value) => ({ signal: "latency_p99_ms", value, at: when, flag, ...(variation === undefined ? {} : { variation }) })),
    );
  }

  function sampleInput(rows: GaugeSample[], overrides: Partial<SampleCohortTestInput> = {}): SampleCohortTestInput {
    const { rate: _rate, counts: _counts, ...span } = input([], { check: latency });
    return { ...span, samples: rows, ...overrides };
  }

  it("explains a breach when the new cohort's mean alone crosses the bound, significantly (scipy: t = 58.28, df = 6.23)", () => {
    const result = testSampleCohorts(
      sampleInput(
        samples("new-checkout", [
          [0, [1390, 1450, 1360, 1420, 1400]],
          [1, [410, 380, 400, 395, 430]],
        ]),
      ),
    );
    expect(result).toMatchObject({
      source: "samples",
      new: { variations: [0], samples: 5, mean: 1404, standardDeviation: expect.closeTo(33.615, 3) },
      off: { variations: [1], samples: 5, mean: 403 },
      test: {
        test: "Welch's t-test, one-sided",
        alternative: "new > off",
        t: expect.closeTo(58.2805, 4),
        df: expect.closeTo(6.2342, 4),
        significance: 0.01,
        minSamples: 3,
      },
      verdict: "explains",
      reason: "the new cohort breaches, the off cohort does not, and the difference is significant",
    });
    expect(result.test?.pValue).toBeCloseTo(4.516e-10, 12);
    expect(describeCohort(result)).toBe("new-checkout (new mean 1404 of 5 samples vs off 403 of 5, t=58.28, df=6.2, p<0.0001)");
  });

  it("tests the other tail for a `min` check (throughput that dropped), reporting t as new − off (scipy: t = −28.48, p = 1.45e-7)", () => {
    const rows = samples("new-checkout", [
      [0, [40, 44, 38, 41]],
      [1, [100, 96, 104, 99]],
    ]).map((s) => ({ ...s, signal: "throughput_rps" }));
    const result = testSampleCohorts(sampleInput(rows, { check: { signal: "throughput_rps", min: 80 }, direction: "below" }));
    expect(result).toMatchObject({
      verdict: "explains",
      test: { alternative: "new < off", t: expect.closeTo(-28.4799, 4), df: expect.closeTo(5.5871, 4), pValue: expect.closeTo(1.45e-7, 9) },
    });
  });

  it("takes constant cohorts with different means as significant (p = 0), and says why there is no t", () => {
    const result = testSampleCohorts(
      sampleInput(
        samples("new-checkout", [
          [0, [910, 910, 910]],
          [1, [420, 420, 420]],
        ]),
      ),
    );
    expect(result).toMatchObject({ verdict: "explains", test: { t: null, df: 4, pValue: 0 } });
    expect(describeCohort(result)).toBe("new-checkout (new mean 910 of 3 samples vs off 420 of 3, neither cohort varies, p<0.0001)");
  });

  it.each([
    [
      "both cohorts breach",
      "clears",
      "the off cohort breaches too",
      [
        [0, [1200, 1250, 1190]],
        [1, [1210, 1180, 1240]],
      ],
    ],
    [
      "the new cohort is within the bound",
      "clears",
      "the new cohort is within the bound",
      [
        [0, [700, 720, 690]],
        [1, [400, 410, 390]],
      ],
    ],
    [
      "820 vs 790 ± 100 is not significant (scipy: p = 0.366)",
      "clears",
      "the difference is not significant (p ≥ 0.01)",
      [
        [0, [720, 920, 820]],
        [1, [690, 890, 790]],
      ],
    ],
    [
      "constant and equal, breaching",
      "clears",
      "the off cohort breaches too",
      [
        [0, [900, 900, 900]],
        [1, [900, 900, 900]],
      ],
    ],
    ["nobody got the new variation", "clears", "no latency_p99_ms sample came from a new variation", [[1, [400, 410, 390]]]],
    [
      "two samples per cohort",
      "insufficient",
      "each cohort needs 3 latency_p99_ms samples (new 2, off 2)",
      [
        [0, [1400, 1500]],
        [1, [400, 410]],
      ],
    ],
    [
      "everybody got the new variation",
      "no-data",
      "every latency_p99_ms sample came from a new variation: no control cohort",
      [[0, [1400, 1500, 1450]]],
    ],
    [
      "samples without a variation only",
      "no-data",
      "3 latency_p99_ms samples name this flag but no variation",
      [[undefined, [1400, 1500, 1450]]],
    ],
    ["no samples for the flag", "no-data", "no latency_p99_ms samples name this flag", []],
  ] as const)("%s → %s", (_name, verdict, reason, rows) => {
    const result = testSampleCohorts(
      sampleInput(
        samples(
          "new-checkout",
          rows.map(([v, values]) => [v, [...values]]),
        ),
      ),
    );
    expect(result).toMatchObject({ verdict, reason });
  });

  it("pools every non-off variation, ignores samples without a variation, and reads only this flag's signal in the span", () => {
    const rows = [
      ...samples("new-checkout", [
        [0, [1400, 1420]],
        [2, [1380]],
        [1, [400, 410, 390]],
        [undefined, [5000, 5000]],
      ]),
      ...samples("new-checkout", [[0, [9000]]], new Date(fromMs - 1)),
      ...samples("new-checkout", [[1, [9000]]], new Date(untilMs)),
      ...samples("new-search", [[1, [9000, 9000, 9000]]]),
      { signal: "error_rate", value: 0.5, at, flag: "new-checkout", variation: 1 },
    ];
    const result = testSampleCohorts(sampleInput(rows));
    expect(result).toMatchObject({
      new: { variations: [0, 2], samples: 3, mean: 1400 },
      off: { samples: 3, mean: 400 },
      verdict: "explains",
    });
  });

  it("asks each cohort for the check's minSamples when it is above 3", () => {
    const result = testSampleCohorts(
      sampleInput(
        samples("new-checkout", [
          [0, [1400, 1420, 1380]],
          [1, [400, 410, 390]],
        ]),
        { check: { ...latency, minSamples: 5 } },
      ),
    );
    expect(result).toMatchObject({
      verdict: "insufficient",
      reason: "each cohort needs 5 latency_p99_ms samples (new 3, off 3)",
      test: null,
    });
  });
});
