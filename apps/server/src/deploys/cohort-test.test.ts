import { describe, expect, it } from "vitest";
import { testCohorts, type CohortTestInput } from "./cohort-test";
import type { CohortCount } from "./types";

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
    const result = testCohorts(input(cohortCounts("new-checkout", [[0, "request", 1000], [0, "error", 80], [1, "request", 1000], [1, "error", 10]])));
    expect(result.verdict).toBe("explains");
    expect(result.test).toMatchObject({ alternative: "new > off", z: expect.closeTo(7.5505, 4), minSamples: 100 });
  });

  it("pools every non-off variation into the new cohort", () => {
    const rows: Array<[number, string, number]> = [[0, "request", 500], [0, "error", 40], [2, "request", 500], [2, "error", 40], [1, "request", 1000], [1, "error", 10]];
    const result = testCohorts(input(cohortCounts("new-checkout", rows)));
    expect(result.new).toStrictEqual({ variations: [0, 2], events: 80, per: 1000, rate: 0.08 });
    expect(result.verdict).toBe("explains");
  });

  it("tests the other tail for a `min` check (a success rate that dropped)", () => {
    const counts = cohortCounts("new-checkout", [[0, "request", 1000], [0, "success", 920], [1, "request", 1000], [1, "success", 990]]);
    const result = testCohorts(input(counts, { check: { signal: "success_rate", min: 0.98 }, direction: "below", rate: { event: "success", per: "request" } }));
    expect(result.verdict).toBe("explains");
    expect(result.test).toMatchObject({ alternative: "new < off", z: expect.closeTo(-7.5505, 4), pValue: expect.closeTo(2.168e-14, 16) });
  });

  it.each([
    ["both cohorts breach", "clears", "the off cohort breaches too", [[0, "request", 1000], [0, "error", 80], [1, "request", 1000], [1, "error", 70]]],
    ["the new cohort is within the bound", "clears", "the new cohort is within the bound", [[0, "request", 1000], [0, "error", 15], [1, "request", 1000], [1, "error", 5]]],
    ["3% vs 1% of 100 is not significant (p = 0.156)", "clears", "the difference is not significant (p ≥ 0.01)", [[0, "request", 100], [0, "error", 3], [1, "request", 100], [1, "error", 1]]],
    ["nobody got the new variation", "clears", 'no "request" event came from a new variation', [[1, "request", 1000], [1, "error", 80]]],
    ["cohorts under 100 requests", "insufficient", 'each cohort needs 100 "request" events (new 60, off 60)', [[0, "request", 60], [0, "error", 30], [1, "request", 60]]],
    ["everybody got the new variation", "no-data", 'every "request" event came from a new variation: no control cohort', [[0, "request", 1000], [0, "error", 80]]],
    ["no counts for the flag", "no-data", 'no "request" events counted for this flag', []],
  ] as const)("%s → %s", (_name, verdict, reason, rows) => {
    const result = testCohorts(input(cohortCounts("new-checkout", rows.map(([v, e, c]) => [v, e, c]))));
    expect(result).toMatchObject({ verdict, reason });
  });

  it("cannot judge a signal that is not counted per cohort", () => {
    const result = testCohorts(input([], { check: { signal: "latency_p99_ms", max: 800 }, rate: undefined }));
    expect(result).toMatchObject({ verdict: "no-data", reason: "latency_p99_ms is not counted per cohort", test: null });
  });

  it("counts only the breach's span and only this flag", () => {
    const before = cohortCounts("new-checkout", [[0, "request", 5000], [1, "request", 5000]], new Date(fromMs - 1));
    const atEnd = cohortCounts("new-checkout", [[0, "request", 5000]], new Date(untilMs));
    const other = cohortCounts("new-search", [[0, "request", 5000], [1, "request", 5000]]);
    const inside = cohortCounts("new-checkout", [[0, "request", 1000], [0, "error", 80], [1, "request", 1000], [1, "error", 10]]);
    const result = testCohorts(input([...before, ...atEnd, ...other, ...inside]));
    expect(result).toMatchObject({ from: "2025-03-01T12:01:00.000Z", until: "2025-03-01T12:01:30.000Z", new: { per: 1000 }, off: { per: 1000 } });
  });

  it("never trusts fewer than 30 requests per cohort, whatever minSamples says", () => {
    const rows: Array<[number, string, number]> = [[0, "request", 20], [0, "error", 20], [1, "request", 20]];
    const result = testCohorts(input(cohortCounts("new-checkout", rows), { check: { signal: "error_rate", max: 0.02, minSamples: 5 } }));
    expect(result).toMatchObject({ verdict: "insufficient", reason: 'each cohort needs 30 "request" events (new 20, off 20)' });
  });
});
