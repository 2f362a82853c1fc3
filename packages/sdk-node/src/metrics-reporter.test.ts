import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MetricsReporter } from "./metrics-reporter";
import { recordingLogger } from "./testing/fixtures";

const SECOND = 1_000;

/** A reporter whose fetch records each body and answers 202 with `answer` (the server's receipt). */
function reporter(options: { intervalMs?: number; sendUsage?: boolean } = {}) {
  const bodies: Array<Record<string, unknown>> = [];
  const server = { answer: {} as Record<string, unknown> };
  const metrics = new MetricsReporter({
    url: "http://switchyard.test/api/sdk/metrics",
    token: "srv_test_token",
    instanceId: "instance-1",
    fetch: async (_url, init) => {
      // Parsed boundary: the reporter sends JSON objects.
      bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      return new Response(
        JSON.stringify({ accepted: { evaluations: 0, events: 0 }, ignored: { evaluations: 0, events: 0 }, ...server.answer }),
        { status: 202 },
      );
    },
    logger: recordingLogger(),
    intervalMs: options.intervalMs ?? 60 * SECOND,
    sendUsage: options.sendUsage ?? true,
    version: () => 7,
    epoch: () => "0123456789ab",
    onAuthFailure: () => {},
  });
  const reports = () => bodies.filter((body) => "evaluations" in body).length;
  return { metrics, bodies, server, reports };
}

describe("MetricsReporter cadence", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports every second while the stream asks for it, at once when the period is already over, and returns to its interval when withdrawn", async () => {
    const { metrics, reports } = reporter();
    metrics.start();
    await vi.advanceTimersByTimeAsync(20 * SECOND);
    expect(reports()).toBe(0);

    metrics.streamHint({ kind: "report-after", reportAfterMs: SECOND });
    await vi.advanceTimersByTimeAsync(0);
    expect(reports()).toBe(1);
    await vi.advanceTimersByTimeAsync(3 * SECOND);
    expect(reports()).toBe(4);
    expect(metrics.reportIntervalMs).toBe(SECOND);

    metrics.streamHint({ kind: "report-after", reportAfterMs: undefined });
    expect(metrics.reportIntervalMs).toBe(60 * SECOND);
    await vi.advanceTimersByTimeAsync(59 * SECOND);
    expect(reports()).toBe(4);
    await vi.advanceTimersByTimeAsync(SECOND);
    expect(reports()).toBe(5);
    await metrics.close();
  });

  it("follows reportAfterMs in metrics responses when no stream sent a hint (polling)", async () => {
    const { metrics, server, reports } = reporter();
    server.answer = { reportAfterMs: SECOND };
    metrics.start();
    await vi.advanceTimersByTimeAsync(60 * SECOND);
    expect(reports()).toBe(1);
    await vi.advanceTimersByTimeAsync(2 * SECOND);
    expect(reports()).toBe(3);

    server.answer = {};
    await vi.advanceTimersByTimeAsync(SECOND);
    expect(reports()).toBe(4);
    await vi.advanceTimersByTimeAsync(59 * SECOND);
    expect(reports()).toBe(4);
    await vi.advanceTimersByTimeAsync(SECOND);
    expect(reports()).toBe(5);
    await metrics.close();
  });

  it("lets an open stream's hint outrank responses (a replica a moment behind), until that stream ends", async () => {
    const { metrics, reports } = reporter();
    metrics.start();
    metrics.streamHint({ kind: "report-after", reportAfterMs: SECOND });
    // Every response says nothing: the stream's hint holds.
    await vi.advanceTimersByTimeAsync(5 * SECOND);
    expect(reports()).toBe(5);
    expect(metrics.reportIntervalMs).toBe(SECOND);

    metrics.streamHint({ kind: "stream-ended" });
    await vi.advanceTimersByTimeAsync(SECOND);
    expect(reports()).toBe(6);
    expect(metrics.reportIntervalMs).toBe(60 * SECOND);
    await metrics.close();
  });

  it("never reports more often than the user's own interval or every 250 ms", () => {
    const short = reporter({ intervalMs: 500 }).metrics;
    short.streamHint({ kind: "report-after", reportAfterMs: SECOND });
    expect(short.reportIntervalMs).toBe(500);
    const normal = reporter().metrics;
    normal.streamHint({ kind: "report-after", reportAfterMs: 10 });
    expect(normal.reportIntervalMs).toBe(250);
  });

  it("stays acknowledgements-only with sendMetrics: false, whatever the server asks", async () => {
    const { metrics, bodies, server } = reporter({ sendUsage: false });
    server.answer = { reportAfterMs: SECOND };
    metrics.start();
    metrics.streamHint({ kind: "report-after", reportAfterMs: SECOND });
    await vi.advanceTimersByTimeAsync(10 * SECOND);
    expect(bodies).toEqual([]);
    metrics.acknowledgeSoon();
    await vi.advanceTimersByTimeAsync(10 * SECOND);
    expect(bodies).toEqual([{ instanceId: "instance-1", sdk: expect.any(String), version: 7, epoch: "0123456789ab" }]);
    await metrics.close();
  });

  it("lets a report due within the acknowledgement delay carry the version instead of a bare acknowledgement", async () => {
    const { metrics, bodies } = reporter();
    metrics.start();
    metrics.streamHint({ kind: "report-after", reportAfterMs: SECOND });
    await vi.advanceTimersByTimeAsync(100);
    metrics.acknowledgeSoon();
    await vi.advanceTimersByTimeAsync(2 * SECOND);
    expect(bodies.length).toBe(2);
    expect(bodies.every((body) => "evaluations" in body && body.version === 7)).toBe(true);
    await metrics.close();
  });
});
