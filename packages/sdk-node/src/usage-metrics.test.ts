import { describe, expect, it } from "vitest";
import { splitPeriod, UsageMetrics } from "./usage-metrics";

const T0 = Date.parse("2026-11-26T10:00:00.000Z");
const T1 = Date.parse("2026-11-26T10:01:00.000Z");

describe("UsageMetrics", () => {
  it("counts evaluations per variation, and events per (flag, variation) their context gets", () => {
    const usage = new UsageMetrics(T0);
    usage.recordEvaluation("checkout", 0);
    usage.recordEvaluation("checkout", 1);
    usage.recordEvaluation("banner", 2);
    usage.recordEvaluation("banner", 2);
    usage.recordEvent("error", [
      ["checkout", 1],
      ["banner", 2],
    ]);
    usage.recordEvent("error", []);
    usage.recordEvent("error", []);
    expect(usage.take(T1)).toStrictEqual({
      periodStart: "2026-11-26T10:00:00.000Z",
      periodEnd: "2026-11-26T10:01:00.000Z",
      evaluations: [
        { flag: "checkout", variation: 0, count: 1 },
        { flag: "checkout", variation: 1, count: 1 },
        { flag: "banner", variation: 2, count: 2 },
      ],
      events: [
        { event: "error", flag: "checkout", variation: 1, count: 1 },
        { event: "error", flag: "banner", variation: 2, count: 1 },
        { event: "error", count: 2 },
      ],
    });
  });

  it("counts through a held flag record into whichever period is current", () => {
    const usage = new UsageMetrics(T0);
    const checkout = usage.flagUsage("checkout");
    expect(usage.flagUsage("checkout")).toBe(checkout);
    checkout.record(0, false);
    expect(usage.take(T1).evaluations).toStrictEqual([{ flag: "checkout", variation: 0, count: 1 }]);
    checkout.record(1, true);
    usage.recordEvaluation("checkout", 1);
    expect([...usage.attributableFlags]).toStrictEqual(["checkout"]);
    expect(usage.take(T1 + 60_000).evaluations).toStrictEqual([{ flag: "checkout", variation: 1, count: 2 }]);
  });

  it("starts an empty period after take, still knowing which flags are attributable", () => {
    const usage = new UsageMetrics(T0);
    usage.recordEvaluation("checkout", 0);
    usage.take(T1);
    expect([...usage.attributableFlags]).toStrictEqual(["checkout"]);
    expect(usage.take(T1 + 60_000)).toMatchObject({ periodStart: "2026-11-26T10:01:00.000Z", evaluations: [], events: [] });
  });

  it("restores an unsent period into the next one", () => {
    const usage = new UsageMetrics(T0);
    usage.recordEvaluation("checkout", 0);
    usage.recordEvent("error", [["checkout", 0]]);
    usage.recordEvent("request", []);
    const failed = usage.take(T1);
    usage.recordEvaluation("checkout", 0);
    usage.restore(failed);
    expect(usage.take(T1 + 60_000)).toStrictEqual({
      periodStart: "2026-11-26T10:00:00.000Z",
      periodEnd: "2026-11-26T10:02:00.000Z",
      evaluations: [{ flag: "checkout", variation: 0, count: 2 }],
      events: [
        { event: "error", flag: "checkout", variation: 0, count: 1 },
        { event: "request", count: 1 },
      ],
    });
  });

  it("splits a period with too many entries into reports of the same period", () => {
    const usage = new UsageMetrics(T0);
    for (let i = 0; i < 5; i += 1) usage.recordEvaluation(`flag-${i}`, 0, undefined);
    const parts = splitPeriod(usage.take(T1), 2);
    expect(parts.map((part) => part.evaluations.map((e) => e.flag))).toStrictEqual([
      ["flag-0", "flag-1"],
      ["flag-2", "flag-3"],
      ["flag-4"],
    ]);
    expect(new Set(parts.map((part) => part.periodStart))).toStrictEqual(new Set(["2026-11-26T10:00:00.000Z"]));
  });
});

describe("attribution", () => {
  it("remembers which flags vary by context, and counts an event once per flag its context gets", () => {
    const usage = new UsageMetrics(0);
    usage.recordEvaluation("static", 0, false);
    usage.recordEvaluation("rollout", 1, true);
    expect([...usage.attributableFlags]).toStrictEqual(["rollout"]);
    usage.recordEvent("error", [["rollout", 1]]);
    usage.recordEvent("request", []);
    expect(usage.take(1)).toMatchObject({
      evaluations: [
        { flag: "static", variation: 0, count: 1 },
        { flag: "rollout", variation: 1, count: 1 },
      ],
      events: [
        { event: "error", flag: "rollout", variation: 1, count: 1 },
        { event: "request", count: 1 },
      ],
    });
  });
});
