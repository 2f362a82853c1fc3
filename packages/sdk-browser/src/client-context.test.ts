import { beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "./client";
import { FakeEventSource, FakeFetch, FakeVisibility, evaluated, fakeOptions, settle } from "./testing/fake-browser";

const on = { value: true, variation: 0, reason: "TARGETING_MATCH" } as const;
const off = { value: false, variation: 1, reason: "DEFAULT" } as const;

beforeEach(() => FakeEventSource.reset());

describe("setContext", () => {
  it("re-evaluates for the new context, reports changes, and reopens the stream with the new context", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": off }));
    const client = createClient(fakeOptions(fetch));
    await client.ready();
    const first = FakeEventSource.latest();
    const changes: string[][] = [];
    client.on("change", (keys) => changes.push(keys));

    fetch.reply(evaluated({ "new-checkout": on }));
    await client.setContext({ key: "user-43", plan: "free" });

    expect(fetch.requests.map((request) => request.context)).toEqual([
      { key: "user-42", plan: "pro" },
      { key: "user-43", plan: "free" },
    ]);
    expect(client.context()).toEqual({ key: "user-43", plan: "free" });
    expect(changes).toEqual([["new-checkout"]]);
    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(first.closed).toBe(true);
    expect(FakeEventSource.open()).toHaveLength(1);
    expect(FakeEventSource.latest().context()).toEqual({ key: "user-43", plan: "free" });
    client.close();
  });

  it("drops the answer for a context that was replaced while it was in flight", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": off }));
    const client = createClient(fakeOptions(fetch));
    await client.ready();

    fetch.hold();
    fetch.reply(evaluated({ stale: on }), evaluated({ fresh: on }));
    const older = client.setContext({ key: "a" });
    const newer = client.setContext({ key: "b" });
    fetch.release();
    await Promise.all([older, newer]);

    expect(client.allFlags()).toEqual({ fresh: on });
    expect(FakeEventSource.open()).toHaveLength(1);
    expect(FakeEventSource.latest().context()).toEqual({ key: "b" });
    client.close();
  });

  it("rejects when the evaluation fails, keeping the previous values", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    const client = createClient(fakeOptions(fetch));
    await client.ready();
    client.on("error", () => undefined);

    fetch.reply({ status: 503 });
    await expect(client.setContext({ key: "user-43" })).rejects.toMatchObject({ status: 503, fatal: false });
    expect(client.isEnabled("new-checkout")).toBe(true);
    client.close();
  });
});

describe("page visibility", () => {
  it("closes the stream while hidden and, when visible again, refetches and reopens it", async () => {
    const visibility = new FakeVisibility("visible");
    const fetch = new FakeFetch(evaluated({ "new-checkout": off }));
    const client = createClient(fakeOptions(fetch, { visibility }));
    await client.ready();
    const first = FakeEventSource.latest();

    visibility.set("hidden");
    expect(first.closed).toBe(true);
    expect(FakeEventSource.open()).toHaveLength(0);

    fetch.reply(evaluated({ "new-checkout": on }));
    const changes: string[][] = [];
    client.on("change", (keys) => changes.push(keys));
    visibility.set("visible");
    await settle();

    expect(fetch.requests).toHaveLength(2);
    expect(changes).toEqual([["new-checkout"]]);
    expect(FakeEventSource.open()).toHaveLength(1);
    expect(FakeEventSource.latest()).not.toBe(first);
    client.close();
    expect(visibility.listenerCount()).toBe(0);
  });

  it("does not retry a failed evaluate while hidden, and reconnects when visible", async () => {
    vi.useFakeTimers();
    const visibility = new FakeVisibility("visible");
    const fetch = new FakeFetch({ status: 502 });
    fetch.hold();
    const client = createClient(fakeOptions(fetch, { visibility }));
    client.on("error", () => undefined);
    visibility.set("hidden");
    fetch.release();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fetch.requests).toHaveLength(1);

    fetch.reply(evaluated({ "new-checkout": on }));
    visibility.set("visible");
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.requests).toHaveLength(2);
    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(FakeEventSource.open()).toHaveLength(1);
    client.close();
    vi.useRealTimers();
  });

  it("evaluates but opens no stream when created in a hidden tab", async () => {
    const visibility = new FakeVisibility("hidden");
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    const client = createClient(fakeOptions(fetch, { visibility }));
    await client.ready();

    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(FakeEventSource.instances).toHaveLength(0);
    visibility.set("visible");
    await settle();
    expect(FakeEventSource.open()).toHaveLength(1);
    client.close();
  });

  it("applies an answer that arrives after the page was hidden, without opening a stream", async () => {
    const visibility = new FakeVisibility("visible");
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    fetch.hold();
    const client = createClient(fakeOptions(fetch, { visibility }));
    visibility.set("hidden");
    fetch.release();
    await settle();

    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(FakeEventSource.instances).toHaveLength(0);
    client.close();
  });
});
