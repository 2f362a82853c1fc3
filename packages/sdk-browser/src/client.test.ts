import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "./client";
import type { ClientError } from "./client-types";
import { FakeEventSource, FakeFetch, TOKEN, URL_BASE, evaluated, fakeOptions, settle } from "./testing/fake-browser";

const on = { value: true, variation: 0, reason: "TARGETING_MATCH" } as const;
const off = { value: false, variation: 1, reason: "DEFAULT" } as const;
const blue = { value: "blue", variation: 2, reason: "SPLIT" } as const;

beforeEach(() => FakeEventSource.reset());
afterEach(() => vi.useRealTimers());

describe("values from the server", () => {
  it("posts the context to /api/client/evaluate with the token and serves the answer", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": on, color: blue }));
    const client = createClient({ ...fakeOptions(fetch), url: `${URL_BASE}/` });
    expect(client.isEnabled("new-checkout")).toBe(false);

    await client.ready();

    expect(fetch.requests).toEqual([
      {
        url: `${URL_BASE}/api/client/evaluate`,
        init: {
          method: "POST",
          headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
          body: JSON.stringify({ context: { key: "user-42", plan: "pro" } }),
        },
        context: { key: "user-42", plan: "pro" },
      },
    ]);
    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(client.variation("color", "red")).toBe("blue");
    expect(client.variationDetail("color", "red")).toEqual({ value: "blue", variation: 2, reason: "SPLIT" });
    expect(client.allFlags()).toEqual({ "new-checkout": on, color: blue });
    client.close();
  });

  it("opens the stream after evaluating, with the base64url context and the token in the query", async () => {
    const fetch = new FakeFetch(evaluated({}));
    const context = { key: "usér/42+?", plan: "pro", tags: ["a", "b"] };
    const client = createClient({ ...fakeOptions(fetch), context });
    expect(FakeEventSource.instances).toHaveLength(0);

    await client.ready();

    const source = FakeEventSource.latest();
    const query = new URL(source.url).searchParams;
    expect(source.url.startsWith(`${URL_BASE}/api/client/stream?`)).toBe(true);
    expect(query.get("token")).toBe(TOKEN);
    expect(query.get("context")).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(source.context()).toEqual(context);
    client.close();
  });

  it("with stream: false, evaluates once and opens no stream", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    const client = createClient({ ...fakeOptions(fetch), stream: false });
    await client.ready();
    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(FakeEventSource.instances).toHaveLength(0);
    client.close();
  });
});

describe("the stream", () => {
  async function streaming(initial = { "new-checkout": off, color: blue }) {
    const fetch = new FakeFetch(evaluated(initial));
    const client = createClient(fakeOptions(fetch));
    const changes: string[][] = [];
    client.on("change", (keys) => changes.push(keys));
    await client.ready();
    return { fetch, client, changes, source: FakeEventSource.latest() };
  }

  it("applies a put as the whole set of values and reports the keys that changed", async () => {
    const { client, changes, source } = await streaming();
    changes.length = 0;

    source.send("put", { flags: { "new-checkout": on, banner: off } });

    expect(changes).toEqual([["new-checkout", "color", "banner"]]);
    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(client.variationDetail("color", "red")).toEqual({
      value: "red",
      variation: null,
      reason: "ERROR",
      errorCode: "FLAG_NOT_FOUND",
    });
    client.close();
  });

  it("applies a patch on top, removes deleted keys (also from a patch without flags), and stays silent when nothing changed", async () => {
    const { client, changes, source } = await streaming();
    changes.length = 0;

    source.send("patch", { flags: { "new-checkout": on }, deleted: ["color"] });
    source.send("patch", { flags: { "new-checkout": on }, deleted: [] });
    source.send("patch", { flags: {}, deleted: ["never-existed"] });
    source.send("patch", { deleted: ["new-checkout"] });

    expect(changes).toEqual([["new-checkout", "color"], ["new-checkout"]]);
    expect(client.allFlags()).toEqual({});
    expect(client.variation("color", "red")).toBe("red");
    client.close();
  });

  it("reports a malformed event as an error and keeps the values it has", async () => {
    const { client, source } = await streaming();
    const errors: ClientError[] = [];
    client.on("error", (error) => errors.push(error));

    source.send("patch", "{not json");
    source.send("put", { nothing: true });

    expect(errors.map((error) => error.fatal)).toEqual([false, false]);
    expect(client.variation("color", "red")).toBe("blue");
    client.close();
  });

  it("leaves reconnecting to the browser on a network error, and reconnects itself with backoff when the stream is closed", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(1);
    const { fetch, client, source } = await streaming();
    const errors: ClientError[] = [];
    client.on("error", (error) => errors.push(error));

    source.fail({ fatal: false });
    expect(source.closed).toBe(false);
    expect(errors).toEqual([]);

    source.fail({ fatal: true });
    expect(errors).toHaveLength(1);
    fetch.reply(new Error("offline"));
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // first retry after 1 s
    expect(fetch.requests).toHaveLength(2);
    expect(errors).toHaveLength(2);

    fetch.reply(evaluated({ "new-checkout": on }));
    await vi.advanceTimersByTimeAsync(1999); // second retry after 2 s
    expect(fetch.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.requests).toHaveLength(3);
    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(FakeEventSource.open()).toEqual([FakeEventSource.latest()]);
    expect(FakeEventSource.latest()).not.toBe(source);

    // A success resets the backoff: the next fatal close retries after 1 s again.
    FakeEventSource.latest().fail({ fatal: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch.requests).toHaveLength(4);
    client.close();
    vi.restoreAllMocks();
  });

  it("keeps jittered, capped delays", async () => {
    const { backoffDelayMs } = await import("./backoff");
    expect(backoffDelayMs(0, () => 0)).toBe(500);
    expect(backoffDelayMs(3, () => 1)).toBe(8000);
    expect(backoffDelayMs(20, () => 1)).toBe(30_000);
    expect(backoffDelayMs(20, () => 0)).toBe(15_000);
  });
});

describe("ready and errors", () => {
  it("rejects ready() after readyTimeoutMs, keeps fallbacks, and fires ready when values arrive later", async () => {
    vi.useFakeTimers();
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    fetch.hold();
    const client = createClient({ ...fakeOptions(fetch), readyTimeoutMs: 100 });
    const readyEvents: string[] = [];
    client.on("ready", () => readyEvents.push("ready"));
    const ready = client.ready();
    const outcome = ready.then(
      () => "resolved",
      (error: unknown) => (error instanceof Error ? error.message : "?"),
    );

    await vi.advanceTimersByTimeAsync(100);
    expect(await outcome).toBe("No flag values within 100 ms");
    expect(client.isEnabled("new-checkout")).toBe(false);

    fetch.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(readyEvents).toEqual(["ready"]);
    expect(client.isEnabled("new-checkout")).toBe(true);
    client.close();
  });

  it.each([401, 403])("stops on %i: reports a fatal error, rejects ready(), opens no stream, retries nothing", async (status) => {
    vi.useFakeTimers();
    const fetch = new FakeFetch({ status, body: { error: { code: "UNAUTHORIZED", message: "no" } } });
    const client = createClient(fakeOptions(fetch));
    const errors: ClientError[] = [];
    client.on("error", (error) => errors.push(error));

    await expect(client.ready()).rejects.toMatchObject({ fatal: true, status });
    await vi.advanceTimersByTimeAsync(120_000);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ fatal: true, status, message: `Token refused (${status})` });
    expect(fetch.requests).toHaveLength(1);
    expect(FakeEventSource.instances).toHaveLength(0);
    await client.setContext({ key: "someone-else" });
    expect(fetch.requests).toHaveLength(1);
    client.close();
  });

  it("retries an evaluate that failed with 500 or a network error, with backoff", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0);
    const fetch = new FakeFetch({ status: 500 }, new TypeError("Failed to fetch"), evaluated({ "new-checkout": on }));
    const client = createClient(fakeOptions(fetch));
    const errors: ClientError[] = [];
    client.on("error", (error) => errors.push(error));
    await settle();
    expect(errors).toMatchObject([{ fatal: false, status: 500 }]);

    await vi.advanceTimersByTimeAsync(500); // 1 s × 50 %
    expect(errors).toHaveLength(2);
    expect(errors[1]?.message).toContain("Failed to fetch");
    await vi.advanceTimersByTimeAsync(1000); // 2 s × 50 %
    await client.ready();
    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(fetch.requests).toHaveLength(3);
    client.close();
    vi.restoreAllMocks();
  });

  it("a throwing listener does not break the client or the other listeners", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": off }));
    const client = createClient(fakeOptions(fetch));
    const seen: string[][] = [];
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => undefined);
    client.on("change", () => {
      throw new Error("listener bug");
    });
    client.on("change", (keys) => seen.push(keys));
    await client.ready();

    FakeEventSource.latest().send("patch", { flags: { "new-checkout": on } });

    // The first answer itself is a change (from nothing to off), then the patch.
    expect(seen).toEqual([["new-checkout"], ["new-checkout"]]);
    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(consoleError).toHaveBeenCalledTimes(2);
    consoleError.mockRestore();
    client.close();
  });

  it("off() and the function on() returns both unsubscribe", async () => {
    const fetch = new FakeFetch(evaluated({}));
    const client = createClient(fakeOptions(fetch));
    const seen: string[] = [];
    const first = (keys: string[]) => seen.push(`first:${keys.join()}`);
    client.on("change", first);
    const stop = client.on("change", (keys) => seen.push(`second:${keys.join()}`));
    await client.ready();

    FakeEventSource.latest().send("patch", { flags: { a: on } });
    client.off("change", first);
    stop();
    FakeEventSource.latest().send("patch", { flags: { b: on } });

    expect(seen).toEqual(["first:a", "second:a"]);
    client.close();
  });

  it("close() closes the stream and ignores answers still in flight", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    fetch.hold();
    const client = createClient(fakeOptions(fetch));
    client.close();
    fetch.release();
    await settle();
    expect(client.isEnabled("new-checkout")).toBe(false);
    expect(FakeEventSource.instances).toHaveLength(0);
  });
});
