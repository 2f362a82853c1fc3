import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SDK_NAME } from "./sdk-info";
import { booleanFlag, segment, segmentFlag, snapshot, staticFlag } from "./testing/fixtures";
import { type Harness, harness, nextEvent } from "./testing/harness";

const initial = snapshot(
  1,
  [booleanFlag("on", true), booleanFlag("off", false), staticFlag("color", ["red", "green"], 1), segmentFlag("beta", "beta-users")],
  [segment("beta-users", ["u1"])],
);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("metrics", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ snapshot: initial });
  });
  afterEach(() => h.cleanup());

  it("sends evaluation counts and attributed track events on close (events attributed to flags that vary by context only)", async () => {
    const client = h.client();
    await client.ready();
    client.isEnabled("on", { key: "u1" });
    client.isEnabled("on", { key: "u2" });
    client.isEnabled("off", { key: "u1" });
    client.variation("color", { key: "u1" }, "blue");
    client.variation("color", { key: "u1" }, false); // type mismatch: the fallback was served, not counted
    client.isEnabled("missing", { key: "u1" }); // not found: not counted
    client.isEnabled("beta", { key: "u1" }); // varies by context: events are attributed to it
    client.isEnabled("beta", { key: "u2" });
    client.track("error", { key: "u1" });
    client.track("error", { key: "u1" });
    client.track("request", { key: "u2" });
    client.track("request", { key: "stranger" });
    client.track("request");
    await client.close();
    const report = h.server.metrics.at(-1);
    expect(report).toStrictEqual({
      instanceId: client.instanceId,
      sdk: SDK_NAME,
      version: 1,
      periodStart: expect.stringMatching(ISO_DATE),
      periodEnd: expect.stringMatching(ISO_DATE),
      evaluations: [
        { flag: "on", variation: 0, count: 2 },
        { flag: "off", variation: 1, count: 1 },
        { flag: "color", variation: 1, count: 1 },
        { flag: "beta", variation: 0, count: 1 },
        { flag: "beta", variation: 1, count: 1 },
      ],
      // Attribution re-evaluates the flags that vary by context: "stranger" and the context-less
      // call get beta's fallthrough too, so they are in its off cohort.
      events: [
        { event: "error", flag: "beta", variation: 0, count: 2 },
        { event: "request", flag: "beta", variation: 1, count: 3 },
      ],
      // Each context once, weighted by its counted evaluations; only the key: no rule reads an attribute.
      contexts: [
        { context: { key: "u1" }, count: 4 },
        { context: { key: "u2" }, count: 2 },
      ],
    });
    const metricsRequest = h.server.requestsTo("/api/sdk/metrics").at(-1);
    expect(metricsRequest?.headers.authorization).toBe("Bearer srv_test_token");
    expect(metricsRequest?.headers["content-type"]).toBe("application/json");
  });

  it("keeps counts taken before a config change under the flag and variation served then", async () => {
    const client = h.client();
    await client.ready();
    client.isEnabled("on", { key: "u1" });
    client.isEnabled("beta", { key: "u1" });
    client.variation("color", { key: "u1" }, "blue");
    h.server.patchFlag(booleanFlag("on", false, 2));
    await nextEvent(client, "change");
    client.isEnabled("on", { key: "u1" });
    // A put that drops "color" and serves "beta" to everyone from its fallthrough.
    h.server.put(
      snapshot(
        3,
        [booleanFlag("on", false, 2), booleanFlag("off", false), segmentFlag("beta", "beta-users", 2)],
        [segment("beta-users", [], 2)],
      ),
    );
    await nextEvent(client, "change");
    client.isEnabled("beta", { key: "u1" });
    client.variation("color", { key: "u1" }, "blue"); // gone: the fallback, not counted
    await client.close();
    expect(h.server.metrics.at(-1)).toMatchObject({
      version: 3,
      evaluations: [
        { flag: "on", variation: 0, count: 1 },
        { flag: "on", variation: 1, count: 1 },
        { flag: "beta", variation: 0, count: 1 },
        { flag: "beta", variation: 1, count: 1 },
        { flag: "color", variation: 1, count: 1 },
      ],
    });
  });

  it("reports every period, empty or not", async () => {
    const client = h.client({ metricsIntervalMs: 50 });
    await client.ready();
    client.isEnabled("on", { key: "u1" });
    await vi.waitFor(() =>
      expect(h.server.metrics).toContainEqual(expect.objectContaining({ evaluations: [{ flag: "on", variation: 0, count: 1 }] })),
    );
    await vi.waitFor(() => expect(h.server.metrics).toContainEqual(expect.objectContaining({ evaluations: [], events: [] })));
  });

  it("acknowledges each applied change within about a second with the bare version", async () => {
    const client = h.client();
    await client.ready();
    const acknowledgement = (version: number) => ({ instanceId: client.instanceId, sdk: SDK_NAME, version });
    await vi.waitFor(() => expect(h.server.metrics).toContainEqual(acknowledgement(1)), { timeout: 2_000 });
    h.server.patchFlag(booleanFlag("on", false, 2));
    h.server.patchFlag(booleanFlag("off", true, 2));
    await vi.waitFor(() => expect(h.server.metrics).toContainEqual(acknowledgement(3)), { timeout: 2_000 });
    // The two changes arrived together and share one acknowledgement.
    expect(h.server.metrics).not.toContainEqual(acknowledgement(2));
  });

  it("reports every second while the stream's metrics event asks for it, and goes back to its interval when withdrawn", async () => {
    const client = h.client();
    await client.ready();
    await vi.waitFor(() => expect(h.server.openStreams()).toHaveLength(1));
    client.track("error", { key: "u1" });
    h.server.writeAll('event: metrics\ndata: {"reportAfterMs":1000}\n\n');
    const reports = () => h.server.metrics.filter((report) => report !== null && typeof report === "object" && "evaluations" in report);
    await vi.waitFor(() => expect(reports()).toContainEqual(expect.objectContaining({ events: [{ event: "error", count: 1 }] })), {
      timeout: 1_500,
    });
    await vi.waitFor(() => expect(reports().length).toBeGreaterThanOrEqual(2), { timeout: 2_000 });
    h.server.writeAll("event: metrics\ndata: {}\n\n");
    const withdrawnAt = reports().length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(reports().length).toBeLessThanOrEqual(withdrawnAt + 1);
    expect(h.server.streams).toHaveLength(1);
  });

  it("keeps the counts of a failed report for the next one", async () => {
    h.server.refuseMetrics = { status: 503 };
    const client = h.client({ metricsIntervalMs: 50 });
    await client.ready();
    client.isEnabled("on", { key: "u1" });
    await vi.waitFor(() => expect(h.server.requestsTo("/api/sdk/metrics").length).toBeGreaterThanOrEqual(2));
    h.server.refuseMetrics = undefined;
    client.isEnabled("on", { key: "u1" });
    await client.close();
    const sent = h.server.metrics.filter((report) => JSON.stringify(report).includes('"evaluations"'));
    const total = sent
      .flatMap((report) => (report !== null && typeof report === "object" && "evaluations" in report ? [report.evaluations] : []))
      .flat();
    expect(total).toStrictEqual([{ flag: "on", variation: 0, count: 2 }]);
    expect(h.logger.warnings).toContain("Switchyard metrics report failed (HTTP 503: refused with 503)");
  });

  it("sends no counts with sendMetrics: false, but still acknowledges versions", async () => {
    const client = h.client({ sendMetrics: false, metricsIntervalMs: 50 });
    await client.ready();
    client.isEnabled("on", { key: "u1" });
    client.track("error", { key: "u1" });
    await client.close();
    expect(h.server.metrics).toStrictEqual([{ instanceId: client.instanceId, sdk: SDK_NAME, version: 1 }]);
  });
});
