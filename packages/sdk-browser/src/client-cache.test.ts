import { beforeEach, describe, expect, it } from "vitest";
import { createClient } from "./client";
import { cacheKey } from "./flag-cache";
import { FakeEventSource, FakeFetch, MemoryStorage, TOKEN, evaluated, fakeOptions, settle } from "./testing/fake-browser";

const on = { value: true, variation: 0, reason: "TARGETING_MATCH" } as const;
const off = { value: false, variation: 1, reason: "DEFAULT" } as const;
const context = { key: "user-42", plan: "pro" };
const entry = (flags: object) => JSON.stringify({ flags });

beforeEach(() => FakeEventSource.reset());

describe("the localStorage cache", () => {
  it("serves the cached values of this context synchronously at creation", () => {
    const storage = new MemoryStorage();
    storage.setItem(cacheKey("switchyard", TOKEN, context), entry({ "new-checkout": on }));
    const fetch = new FakeFetch(evaluated({ "new-checkout": off }));
    fetch.hold();

    const client = createClient(fakeOptions(fetch, { storage }));

    expect(client.isEnabled("new-checkout")).toBe(true);
    client.close();
  });

  it("is written after the evaluate answer and after every stream event, under the context's key", async () => {
    const storage = new MemoryStorage();
    const fetch = new FakeFetch(evaluated({ "new-checkout": off }));
    const client = createClient(fakeOptions(fetch, { storage }));
    await client.ready();
    const key = cacheKey("switchyard", TOKEN, context);
    expect(storage.getItem(key)).toBe(entry({ "new-checkout": off }));

    FakeEventSource.latest().send("patch", { flags: { banner: on } });
    expect(storage.getItem(key)).toBe(entry({ "new-checkout": off, banner: on }));
    FakeEventSource.latest().send("patch", { flags: {}, deleted: ["new-checkout"] });
    expect(storage.getItem(key)).toBe(entry({ banner: on }));
    client.close();

    // The next page load renders the last values at once.
    const next = createClient(fakeOptions(new FakeFetch(evaluated({})), { storage }));
    expect(next.isEnabled("banner")).toBe(true);
    next.close();
  });

  it("keeps one entry per context and token, and honours storageKey", async () => {
    const storage = new MemoryStorage();
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    const client = createClient({ ...fakeOptions(fetch, { storage }), storageKey: "my-app" });
    await client.ready();
    fetch.reply(evaluated({ "new-checkout": off }));
    await client.setContext({ key: "user-43" });

    expect(storage.getItem(cacheKey("my-app", TOKEN, context))).toBe(entry({ "new-checkout": on }));
    expect(storage.getItem(cacheKey("my-app", TOKEN, { key: "user-43" }))).toBe(entry({ "new-checkout": off }));
    expect([...storage.items.keys()].every((key) => key.startsWith("my-app:"))).toBe(true);
    expect(cacheKey("s", "other-token", context)).not.toBe(cacheKey("s", TOKEN, context));
    client.close();
  });

  it("ignores a corrupt entry and survives a storage that throws", async () => {
    const corrupt = new MemoryStorage();
    corrupt.setItem(cacheKey("switchyard", TOKEN, context), "{not json");
    const first = createClient(fakeOptions(new FakeFetch(evaluated({})), { storage: corrupt }));
    expect(first.variation("new-checkout", "fallback")).toBe("fallback");
    first.close();

    const throwing = {
      getItem(): string | null {
        throw new Error("SecurityError");
      },
      setItem(): void {
        throw new Error("QuotaExceededError");
      },
    };
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    const client = createClient(fakeOptions(fetch, { storage: throwing }));
    await client.ready();
    expect(client.isEnabled("new-checkout")).toBe(true);
    client.close();
  });
});

describe("bootstrap", () => {
  it("wins over the cache, makes ready() resolve at once, and is replaced by the server's answer", async () => {
    const storage = new MemoryStorage();
    storage.setItem(cacheKey("switchyard", TOKEN, context), entry({ "new-checkout": off, cached: on }));
    const fetch = new FakeFetch(evaluated({ "new-checkout": off }));
    fetch.hold();

    const client = createClient({ ...fakeOptions(fetch, { storage }), bootstrap: { flags: { "new-checkout": on } } });

    expect(client.isEnabled("new-checkout")).toBe(true);
    expect(client.isEnabled("cached")).toBe(false);
    await client.ready();
    const changes: string[][] = [];
    client.on("change", (keys) => changes.push(keys));
    fetch.release();
    await settle();
    expect(changes).toEqual([["new-checkout"]]);
    expect(client.isEnabled("new-checkout")).toBe(false);
    client.close();
  });
});
