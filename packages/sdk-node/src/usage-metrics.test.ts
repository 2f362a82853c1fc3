import { describe, expect, it } from "vitest";
import { ATTRIBUTION_CAPACITY, splitPeriod, UsageMetrics } from "./usage-metrics";

const T0 = Date.parse("2026-11-26T10:00:00.000Z");
const T1 = Date.parse("2026-11-26T10:01:00.000Z");

describe("UsageMetrics", () => {
  it("attributes an event to every variation its context last received", () => {
    const usage = new UsageMetrics(T0);
    usage.recordEvaluation("checkout", 0, "u1");
    usage.recordEvaluation("checkout", 1, "u1"); // the latest variation wins
    usage.recordEvaluation("banner", 2, "u1");
    usage.recordEvaluation("banner", 2, undefined);
    usage.recordEvent("error", "u1");
    usage.recordEvent("error", "unknown");
    usage.recordEvent("error", undefined);
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

  it("starts an empty period after take, keeping attribution", () => {
    const usage = new UsageMetrics(T0);
    usage.recordEvaluation("checkout", 0, "u1");
    usage.take(T1);
    usage.recordEvent("error", "u1");
    expect(usage.take(T1 + 60_000)).toMatchObject({
      periodStart: "2026-11-26T10:01:00.000Z",
      evaluations: [],
      events: [{ event: "error", flag: "checkout", variation: 0, count: 1 }],
    });
  });

  it("restores an unsent period into the next one", () => {
    const usage = new UsageMetrics(T0);
    usage.recordEvaluation("checkout", 0, "u1");
    usage.recordEvent("error", "u1");
    usage.recordEvent("request", undefined);
    const failed = usage.take(T1);
    usage.recordEvaluation("checkout", 0, "u1");
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

describe("attribution memory", () => {
  it("keeps the keys in use and forgets the ones not seen for a whole generation", () => {
    const usage = new UsageMetrics(0);
    usage.recordEvaluation("f", 1, "kept");
    for (let i = 0; i < ATTRIBUTION_CAPACITY; i++) {
      usage.recordEvaluation("f", 0, `other-${i}`);
      if (i % 1_000 === 0) usage.recordEvaluation("f", 1, "kept"); // in use: promoted each time
    }
    usage.recordEvaluation("f", 0, "gone-soon");
    for (let i = 0; i < ATTRIBUTION_CAPACITY; i++) {
      usage.recordEvaluation("f", 0, `more-${i}`);
      if (i % 1_000 === 0) usage.recordEvaluation("f", 1, "kept");
    }
    usage.recordEvent("error", "kept");
    usage.recordEvent("error", "gone-soon");
    const { events } = usage.take(1);
    expect(events).toStrictEqual([
      { event: "error", flag: "f", variation: 1, count: 1 },
      { event: "error", count: 1 },
    ]);
  });

  it("does not attribute to a flag that serves everyone the same value", () => {
    const usage = new UsageMetrics(0);
    usage.recordEvaluation("static", 0, "u1", false);
    usage.recordEvent("request", "u1");
    expect(usage.take(1)).toMatchObject({ evaluations: [{ flag: "static", variation: 0, count: 1 }], events: [{ event: "request", count: 1 }] });
  });
});
