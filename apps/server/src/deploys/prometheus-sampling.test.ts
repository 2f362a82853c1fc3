import { describe, expect, it } from "vitest";
import type { PrometheusSource, QueryOutcome } from "./prometheus";
import { MAX_INTERVALS_PER_TICK, sampleIntervals } from "./prometheus-sampling";
import type { Guard, PrometheusProgress } from "./types";

const START = new Date("2026-11-26T10:00:00.000Z");
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);
const guard: Guard = {
  windowSeconds: 300,
  intervalSeconds: 10,
  onBreach: "disable-flags",
  checks: [
    { signal: "error_rate", max: 0.02, query: "sum(rate(errors_total[$interval])) / sum(rate(requests_total[$interval]))" },
    { signal: "latency_p99_ms", max: 800, query: "histogram_quantile(0.99, sum by (le) (rate(latency_bucket[$interval])))" },
    { signal: "pushed", max: 1 },
  ],
};

/** A Prometheus whose answer depends on the query and the time asked for; it records each call. */
function fakePrometheus(answer: (query: string, seconds: number) => QueryOutcome) {
  const calls: Array<{ query: string; seconds: number }> = [];
  const source: PrometheusSource = {
    origin: "http://prometheus.test",
    async query(query, time) {
      const seconds = (time.getTime() - START.getTime()) / 1000;
      calls.push({ query, seconds });
      return answer(query, seconds);
    },
  };
  return { source, calls };
}

const value = (v: number): QueryOutcome => ({ kind: "value", value: v });
const down: QueryOutcome = { kind: "unavailable", message: "Prometheus at http://prometheus.test is unreachable: ECONNREFUSED" };

describe("sampleIntervals", () => {
  it("asks every query check for its value at each completed interval's end, with $interval expanded", async () => {
    const { source, calls } = fakePrometheus((query, seconds) => value(query.startsWith("sum") ? seconds / 1000 : 250));
    const result = await sampleIntervals(source, { createdAt: START, guard, progress: undefined }, at(25));
    expect(calls).toEqual([
      { query: "sum(rate(errors_total[10s])) / sum(rate(requests_total[10s]))", seconds: 10 },
      { query: "histogram_quantile(0.99, sum by (le) (rate(latency_bucket[10s])))", seconds: 10 },
      { query: "sum(rate(errors_total[10s])) / sum(rate(requests_total[10s]))", seconds: 20 },
      { query: "histogram_quantile(0.99, sum by (le) (rate(latency_bucket[10s])))", seconds: 20 },
    ]);
    // Each sample sits inside the interval it measures.
    expect(result.samples).toEqual([
      { signal: "error_rate", value: 0.01, at: new Date(at(10).getTime() - 1) },
      { signal: "latency_p99_ms", value: 250, at: new Date(at(10).getTime() - 1) },
      { signal: "error_rate", value: 0.02, at: new Date(at(20).getTime() - 1) },
      { signal: "latency_p99_ms", value: 250, at: new Date(at(20).getTime() - 1) },
    ]);
    expect(result.progress).toEqual({ through: 2, failingSince: null, lastProblem: null });
    expect(result.decideAt).toEqual(at(25));
  });

  it("asks nothing again for settled intervals", async () => {
    const { source, calls } = fakePrometheus(() => value(0));
    const progress: PrometheusProgress = { through: 2, failingSince: null, lastProblem: null };
    const result = await sampleIntervals(source, { createdAt: START, guard, progress }, at(29));
    expect(calls).toEqual([]);
    expect(result.samples).toEqual([]);
    expect(result.progress.through).toBe(2);
  });

  it("holds the decision back while Prometheus is unreachable, then fills the gap from its history", async () => {
    let up = false;
    const { source } = fakePrometheus((_query, seconds) => (up ? value(seconds) : down));
    const first = await sampleIntervals(
      source,
      { createdAt: START, guard, progress: { through: 1, failingSince: null, lastProblem: null } },
      at(21),
    );
    expect(first.samples).toEqual([]);
    expect(first.progress).toEqual({
      through: 1,
      failingSince: at(21).toISOString(),
      lastProblem: {
        at: at(21).toISOString(),
        interval: 1,
        signal: "error_rate",
        message: down.kind === "unavailable" ? down.message : "",
      },
    });
    // The engine may judge interval 0 only: interval 1 has no sample yet.
    expect(first.decideAt).toEqual(at(10));

    up = true;
    const second = await sampleIntervals(source, { createdAt: START, guard, progress: first.progress }, at(35));
    expect(second.samples.map((s) => [s.signal, s.value])).toEqual([
      ["error_rate", 20],
      ["latency_p99_ms", 20],
      ["error_rate", 30],
      ["latency_p99_ms", 30],
    ]);
    expect(second.progress).toEqual({ through: 3, failingSince: null, lastProblem: null });
    expect(second.decideAt).toEqual(at(35));
  });

  it("gives an interval up (no sample) once Prometheus has been unreachable for two intervals or 30 s", async () => {
    const { source } = fakePrometheus(() => down);
    const failing: PrometheusProgress = { through: 1, failingSince: at(21).toISOString(), lastProblem: null };
    const stillWaiting = await sampleIntervals(source, { createdAt: START, guard, progress: failing }, at(50));
    expect(stillWaiting.progress.through).toBe(1);
    const givenUp = await sampleIntervals(source, { createdAt: START, guard, progress: failing }, at(51));
    expect(givenUp.samples).toEqual([]);
    expect(givenUp.progress).toMatchObject({
      through: 5,
      failingSince: at(21).toISOString(),
      lastProblem: { interval: 4, signal: "error_rate" },
    });
    expect(givenUp.decideAt).toEqual(at(51));
  });

  it("keeps what answered when a query has no data or is wrong, and says why", async () => {
    const { source } = fakePrometheus((query) =>
      query.startsWith("sum")
        ? { kind: "no-data", reason: "the query returned no series" }
        : { kind: "invalid", message: "the query returned 2 series" },
    );
    const result = await sampleIntervals(source, { createdAt: START, guard, progress: undefined }, at(10));
    expect(result.samples).toEqual([]);
    expect(result.progress).toEqual({
      through: 1,
      failingSince: null,
      lastProblem: { at: at(10).toISOString(), interval: 0, signal: "latency_p99_ms", message: "the query returned 2 series" },
    });
  });

  it("catches up on a long gap a few intervals per tick", async () => {
    const { source, calls } = fakePrometheus(() => value(0));
    const result = await sampleIntervals(source, { createdAt: START, guard, progress: undefined }, at(10 * (MAX_INTERVALS_PER_TICK + 5)));
    expect(result.progress.through).toBe(MAX_INTERVALS_PER_TICK);
    expect(calls).toHaveLength(2 * MAX_INTERVALS_PER_TICK);
    expect(result.decideAt).toEqual(at(10 * MAX_INTERVALS_PER_TICK));
  });

  it("without a Prometheus (the server lost its PROMETHEUS_URL) says so and gives up like for an outage", async () => {
    const result = await sampleIntervals(undefined, { createdAt: START, guard, progress: undefined }, at(10));
    expect(result.progress.lastProblem?.message).toBe("this server has no PROMETHEUS_URL (it was set when the deploy was registered)");
    expect(result.progress.through).toBe(0);
  });
});
