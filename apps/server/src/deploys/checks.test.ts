import { describe, expect, it } from "vitest";
import { buildSeries, completedIntervals, judge, type SeriesInputs } from "./checks";
import type { Check, CohortCount, GaugeSample } from "./types";

const startMs = Date.parse("2025-03-01T12:00:00.000Z");
const intervalMs = 30_000;
const inInterval = (index: number) => new Date(startMs + index * intervalMs + 1000);

function inputs(samples: GaugeSample[], counts: CohortCount[], intervals = 4): SeriesInputs {
  return { startMs, intervalMs, intervals, samples, counts, guardedFlags: new Set(["a", "b"]), rate: { event: "error", per: "request" } };
}

const errorRate: Check = { signal: "error_rate", max: 0.02 };

describe("completedIntervals", () => {
  it("lists only intervals that have ended", () => {
    expect(completedIntervals(startMs, intervalMs, startMs + 59_999).map((i) => i.index)).toStrictEqual([0]);
    expect(completedIntervals(startMs, intervalMs, startMs + 60_000).map((i) => i.index)).toStrictEqual([0, 1]);
    expect(completedIntervals(startMs, intervalMs, startMs - 1)).toStrictEqual([]);
  });
});

describe("judge", () => {
  it("computes the service-wide rate once per event: unattributed plus the flag with the most traffic, not the sum over flags", () => {
    const counts: CohortCount[] = [
      { event: "request", flag: "a", variation: 0, count: 600, at: inInterval(0) },
      { event: "error", flag: "a", variation: 0, count: 30, at: inInterval(0) },
      { event: "request", flag: "a", variation: 1, count: 400, at: inInterval(0) },
      { event: "request", flag: "b", variation: 0, count: 900, at: inInterval(0) },
      { event: "error", flag: "b", variation: 0, count: 30, at: inInterval(0) },
      { event: "request", count: 1000, at: inInterval(0) },
      { event: "error", count: 10, at: inInterval(0) },
      { event: "request", flag: "unguarded", variation: 0, count: 99_999, at: inInterval(0) },
    ];
    const series = buildSeries(errorRate, inputs([], counts));
    expect(series.source).toBe("counts");
    expect(judge(series, 0, 0)).toMatchObject({ value: 40 / 2000, samples: 2000, judgement: "held" });
  });

  it("prefers pushed gauges over counts, and leaves per-cohort gauge samples out", () => {
    const samples: GaugeSample[] = [
      { signal: "error_rate", value: 0.01, at: inInterval(0) },
      { signal: "error_rate", value: 0.03, at: inInterval(0) },
      { signal: "error_rate", value: 0.9, at: inInterval(0), flag: "a", variation: 0 },
    ];
    const counts: CohortCount[] = [{ event: "request", count: 1000, at: inInterval(0) }];
    const series = buildSeries(errorRate, inputs(samples, counts));
    expect(series.source).toBe("gauge");
    expect(judge(series, 0, 0)).toMatchObject({ value: 0.02, samples: 2, judgement: "held" });
  });

  it("reaches back over earlier intervals until minSamples are covered, never before earliestIndex", () => {
    const samples = [0, 1, 2, 3].map((i) => ({ signal: "latency_ms", value: 100 * (i + 1), at: inInterval(i) }));
    const series = buildSeries({ signal: "latency_ms", max: 250, minSamples: 3 }, inputs(samples, []));
    expect(judge(series, 1, 0)).toMatchObject({ fromIndex: 0, samples: 2, judgement: "pending" });
    expect(judge(series, 2, 0)).toMatchObject({ fromIndex: 0, value: 200, samples: 3, judgement: "held" });
    expect(judge(series, 3, 0)).toMatchObject({ fromIndex: 1, value: 300, judgement: "breached", direction: "above" });
    expect(judge(series, 3, 2)).toMatchObject({ fromIndex: 2, samples: 2, judgement: "pending" });
  });

  it("judges a `min` bound from below", () => {
    const samples = [{ signal: "success_rate", value: 0.9, at: inInterval(0) }];
    const series = buildSeries({ signal: "success_rate", min: 0.98 }, inputs(samples, []));
    expect(judge(series, 0, 0)).toMatchObject({ judgement: "breached", direction: "below" });
  });

  it("has nothing to judge for a signal nobody reports", () => {
    const series = buildSeries({ signal: "latency_ms", max: 800 }, { ...inputs([], []), rate: undefined });
    expect(series.source).toBe("none");
    expect(judge(series, 3, 0)).toMatchObject({ value: null, samples: 0, judgement: "pending" });
  });
});
