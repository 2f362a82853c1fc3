import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SwitchyardError } from "./errors";
import { booleanFlag, snapshot } from "./testing/fixtures";
import { type Harness, harness, nextEvent } from "./testing/harness";

const initial = snapshot(1, [booleanFlag("on", true)]);

describe("polling", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ snapshot: initial });
  });
  afterEach(() => h.cleanup());

  it("falls back to polling with ETag when the stream is refused, and back to the stream when it returns", async () => {
    h.server.refuseStream = { status: 500, message: "boom" };
    const client = h.client();
    const errors: string[] = [];
    client.on("error", (error) => errors.push(error.message));
    await client.ready();
    expect(client.isEnabled("on")).toBe(true);
    expect(h.server.requestsTo("/api/sdk/stream").length).toBeGreaterThanOrEqual(3);

    await vi.waitFor(() => expect(h.server.requestsTo("/api/sdk/flags").length).toBeGreaterThanOrEqual(3));
    const polls = h.server.requestsTo("/api/sdk/flags");
    expect(polls[0]?.headers["if-none-match"]).toBeUndefined();
    expect(polls[1]?.headers["if-none-match"]).toBe('W/"1"');

    const change = nextEvent(client, "change");
    h.server.patchFlag(booleanFlag("on", false, 2)); // no stream is open: only a poll can see it
    expect(await change).toStrictEqual([["on"]]);
    expect(client.isEnabled("on")).toBe(false);

    h.server.refuseStream = undefined;
    await vi.waitFor(() => expect(h.server.openStreams()).toHaveLength(1), { timeout: 2_000 });
    const pollsWhenStreaming = h.server.requestsTo("/api/sdk/flags").length;
    await new Promise((resolve) => setTimeout(resolve, 200)); // four poll intervals
    expect(h.server.requestsTo("/api/sdk/flags").length).toBeLessThanOrEqual(pollsWhenStreaming + 1);

    expect(errors[0]).toBe("Switchyard stream lost (HTTP 500: boom); reconnecting");
    expect(errors).toContain("Switchyard stream unavailable (HTTP 500: boom); polling every 50 ms and retrying the stream");
  });

  it("polls at once when the server has no stream endpoint (404)", async () => {
    h.server.refuseStream = { status: 404 };
    const client = h.client({ initialRetryDelayMs: 10_000, maxRetryDelayMs: 10_000 });
    await client.ready();
    expect(h.server.requestsTo("/api/sdk/stream")).toHaveLength(1);
    expect(client.isEnabled("on")).toBe(true);
  });

  it("only polls when streaming is off", async () => {
    const client = h.client({ stream: false });
    await client.ready();
    await vi.waitFor(() => expect(h.server.requestsTo("/api/sdk/flags").length).toBeGreaterThanOrEqual(2));
    expect(h.server.requestsTo("/api/sdk/stream")).toHaveLength(0);
    expect(client.configVersion()).toBe(1);
  });

  it("keeps serving the last known flags while polls fail, stale until one succeeds", async () => {
    const client = h.client({ stream: false });
    await client.ready();
    const stale = nextEvent(client, "stale");
    h.server.refuseFlags = { status: 503, message: "down for maintenance" };
    expect(await stale).toStrictEqual(["polling failed: HTTP 503: down for maintenance"]);
    expect(client.isEnabled("on")).toBe(true);
    const recovered = nextEvent(client, "recovered");
    h.server.refuseFlags = undefined;
    await recovered;
  });
});

describe("a rejected token", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ snapshot: initial });
  });
  afterEach(() => h.cleanup());

  it("stops all network activity, emits an error and rejects ready (401 on the stream)", async () => {
    const client = h.client({ token: "wrong" });
    const error = nextEvent(client, "error");
    const ready = client.ready();
    await expect(ready).rejects.toThrow(
      "Switchyard rejected the SDK token (401): Unknown token. The SDK stopped all network activity; fix the token and restart.",
    );
    const [emitted] = await error;
    expect(emitted).toBeInstanceOf(SwitchyardError);
    expect(emitted.code).toBe("UNAUTHORIZED");
    expect(emitted.status).toBe(401);
    expect(h.logger.errors).toStrictEqual([emitted.message]);
    const requests = h.server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.server.requests).toHaveLength(requests);
    expect(client.variationDetail("on", undefined, false)).toMatchObject({ value: false, errorCode: "PROVIDER_NOT_READY" });
  });

  it("stops on a 403 while polling, keeping the data it had", async () => {
    const client = h.client({ stream: false });
    await client.ready();
    const error = nextEvent(client, "error");
    h.server.refuseFlags = { status: 403, message: "This token cannot be used here" };
    const [emitted] = await error;
    expect(emitted.message).toContain("Switchyard rejected the SDK token (403): This token cannot be used here");
    const requests = h.server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.server.requests).toHaveLength(requests);
    expect(client.isEnabled("on")).toBe(true);
  });
});
