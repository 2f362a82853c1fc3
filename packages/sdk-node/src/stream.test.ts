import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { booleanFlag, segment, segmentFlag, snapshot, staticFlag } from "./testing/fixtures";
import { type Harness, harness, nextEvent } from "./testing/harness";

const initial = snapshot(1, [
  booleanFlag("on", true),
  booleanFlag("gone", true),
  staticFlag("color", ["red", "green"], 1),
  segmentFlag("beta", "testers"),
]);

describe("streaming", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ snapshot: initial });
  });
  afterEach(() => h.cleanup());

  it("serves the put it receives on connect", async () => {
    const client = h.client();
    await client.ready();
    expect(client.isEnabled("on")).toBe(true);
    expect(client.variation("color", { key: "u1" }, "blue")).toBe("green");
    expect(client.variationDetail("on", undefined, false)).toStrictEqual({ value: true, variation: 0, variant: "0", reason: "STATIC" });
    expect(client.configVersion()).toBe(1);
    expect(client.dataAgeMs()).toBeGreaterThanOrEqual(0);
    const [stream] = h.server.streams;
    expect(stream?.headers["x-switchyard-instance"]).toBe(client.instanceId);
    expect(stream?.headers.authorization).toBe("Bearer srv_test_token");
    expect(stream?.lastEventId).toBeUndefined();
  });

  it("applies a patch and reports the changed key", async () => {
    const client = h.client();
    await client.ready();
    const change = nextEvent(client, "change");
    h.server.patchFlag(booleanFlag("on", false, 2));
    expect(await change).toStrictEqual([["on"]]);
    expect(client.isEnabled("on")).toBe(false);
    expect(client.variationDetail("on", undefined, true)).toStrictEqual({ value: false, variation: 1, variant: "1", reason: "DISABLED" });
    expect(client.configVersion()).toBe(2);
  });

  it("reports the flags that use a changed segment", async () => {
    const client = h.client();
    await client.ready();
    expect(client.isEnabled("beta", { key: "ann" })).toBe(false);
    const change = nextEvent(client, "change");
    h.server.patchSegment(segment("testers", ["ann"], 2));
    expect(await change).toStrictEqual([["beta"]]);
    expect(client.isEnabled("beta", { key: "ann" })).toBe(true);
  });

  it("applies a delete: the flag is gone and the fallback is served", async () => {
    const client = h.client();
    await client.ready();
    const change = nextEvent(client, "change");
    h.server.deleteFlag("gone");
    expect(await change).toStrictEqual([["gone"]]);
    expect(client.variationDetail("gone", { key: "u1" }, false)).toStrictEqual({
      value: false,
      variation: null,
      reason: "ERROR",
      errorCode: "FLAG_NOT_FOUND",
      errorMessage: 'flag "gone" not found',
    });
  });

  it("ignores events whose version is not newer", async () => {
    const client = h.client();
    await client.ready();
    const changes: string[][] = [];
    client.on("change", (keys) => changes.push(keys));
    const applied = nextEvent(client, "change");
    h.server.patchFlag(booleanFlag("on", false, 2)); // version 2
    await applied;
    // A stale patch (version 2 again) and a stale put (version 1) must both be ignored.
    h.server.writeAll(`id: 2\nevent: patch\ndata: ${JSON.stringify({ version: 2, flag: booleanFlag("on", true, 9) })}\n\n`);
    h.server.writeAll(`id: 1\nevent: put\ndata: ${JSON.stringify(initial)}\n\n`);
    const later = nextEvent(client, "change");
    h.server.patchFlag(staticFlag("color", ["red", "green"], 0, 2)); // version 3
    await later;
    expect(changes).toStrictEqual([["on"], ["color"]]);
    expect(client.isEnabled("on")).toBe(false);
    expect(client.configVersion()).toBe(3);
  });

  it("resumes with Last-Event-ID after a dropped connection and gets only the gap", async () => {
    const client = h.client();
    await client.ready();
    const first = nextEvent(client, "change");
    h.server.patchFlag(booleanFlag("on", false, 2));
    await first;
    h.server.holdStreams = true;
    h.server.dropStreams();
    await vi.waitFor(() => expect(h.server.heldStreams()).toBe(1));
    h.server.patchFlag(staticFlag("color", ["red", "green"], 0, 2)); // version 3, published while disconnected
    h.server.releaseStreams();
    expect(await nextEvent(client, "change")).toStrictEqual([["color"]]);
    const resumed = h.server.streams[1];
    expect(resumed?.lastEventId).toBe("2");
    expect(resumed?.sentPut).toBe(false);
    expect(client.variation("color", {}, "blue")).toBe("red");
    expect(client.configVersion()).toBe(3);
  });

  it("gets a fresh put when the server cannot replay the gap", async () => {
    h.server.replay = false;
    const client = h.client();
    await client.ready();
    h.server.holdStreams = true;
    h.server.dropStreams();
    await vi.waitFor(() => expect(h.server.heldStreams()).toBe(1));
    h.server.patchFlag(booleanFlag("on", false, 2));
    h.server.releaseStreams();
    expect(await nextEvent(client, "change")).toStrictEqual([["on"]]);
    expect(h.server.streams[1]?.lastEventId).toBe("1");
    expect(h.server.streams[1]?.sentPut).toBe(true);
  });

  it("reconnects a stream that goes silent, and reports it stale then recovered", async () => {
    const client = h.client({ heartbeatTimeoutMs: 150 });
    await client.ready();
    const stale = nextEvent(client, "stale");
    const recovered = nextEvent(client, "recovered");
    const [first] = h.server.streams;
    await first?.closed; // closed by the client: the fake server sends no heartbeat
    expect(await stale).toStrictEqual([expect.stringContaining("no data or heartbeat for 150 ms")]);
    await recovered;
    expect(h.server.streams.length).toBeGreaterThanOrEqual(2);
    expect(h.server.streams[1]?.lastEventId).toBe("1");
  });

  it("keeps a stream that sends heartbeats", async () => {
    await h.cleanup();
    h = await harness({ snapshot: initial, heartbeatMs: 30 });
    const client = h.client({ heartbeatTimeoutMs: 150 });
    await client.ready();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.server.streams).toHaveLength(1);
    expect(h.server.streams[0]?.isClosed()).toBe(false);
    expect(client.dataAgeMs()).toBeLessThan(150);
  });

  it("reconnects after a malformed event, asking for a fresh put", async () => {
    const client = h.client();
    await client.ready();
    const error = nextEvent(client, "error");
    h.server.writeAll("id: 7\nevent: patch\ndata: {not json\n\n");
    const [reported] = await error;
    expect(reported.code).toBe("PAYLOAD");
    await vi.waitFor(() => expect(h.server.streams).toHaveLength(2));
    expect(h.server.streams[1]?.lastEventId).toBeUndefined();
    expect(client.isEnabled("on")).toBe(true);
  });

  it("backs off from a server that sends a put and hangs up at once", async () => {
    h.server.hangUpAfterFirstEvents = true;
    const client = h.client({ initialRetryDelayMs: 10, maxRetryDelayMs: 200, pollIntervalMs: 60_000 });
    const errors: string[] = [];
    client.on("error", (error) => errors.push(error.message));
    await client.ready();
    await new Promise((resolve) => setTimeout(resolve, 600));
    // Without backoff growth this would be ~120 connections (one per 0–10 ms).
    expect(h.server.streams.length).toBeLessThan(25);
    expect(errors).toStrictEqual([
      "Switchyard stream lost (the server closed the stream); reconnecting",
      "Switchyard stream unavailable (the server closed the stream); polling every 60000 ms and retrying the stream",
    ]);
  });
});
