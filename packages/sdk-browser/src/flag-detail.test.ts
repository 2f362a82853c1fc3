import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "./client";
import type { EvaluatedFlags, SwitchyardClient } from "./client-types";
import { FakeEventSource, FakeFetch, evaluated, fakeOptions } from "./testing/fake-browser";

const flags: EvaluatedFlags = {
  bool: { value: true, variation: 0, reason: "TARGETING_MATCH" },
  text: { value: "blue", variation: 1, reason: "SPLIT" },
  count: { value: 0, variation: 2, reason: "DEFAULT" },
  list: { value: ["a", "b"], variation: 0, reason: "STATIC" },
  object: { value: { limit: 3 }, variation: 1, reason: "DISABLED" },
  broken: { value: null, variation: null, reason: "ERROR", errorCode: "PARSE_ERROR" },
};

let client: SwitchyardClient | undefined;
afterEach(() => client?.close());

async function withFlags(values: EvaluatedFlags): Promise<SwitchyardClient> {
  FakeEventSource.reset();
  client = createClient(fakeOptions(new FakeFetch(evaluated(values))));
  await client.ready();
  return client;
}

describe("variationDetail", () => {
  it("serves each type when the fallback has the same type", async () => {
    const c = await withFlags(flags);
    expect(c.variationDetail("bool", false)).toEqual({ value: true, variation: 0, reason: "TARGETING_MATCH" });
    expect(c.variationDetail("text", "red")).toEqual({ value: "blue", variation: 1, reason: "SPLIT" });
    expect(c.variationDetail("count", 7)).toEqual({ value: 0, variation: 2, reason: "DEFAULT" });
    expect(c.variationDetail("list", ["z"])).toEqual({ value: ["a", "b"], variation: 0, reason: "STATIC" });
    expect(c.variationDetail("object", { limit: 1 })).toEqual({ value: { limit: 3 }, variation: 1, reason: "DISABLED" });
  });

  it("reports the server's variant and the flag's metadata", async () => {
    const c = await withFlags({
      layout: { value: "one-page", variation: 1, variant: "one-page", reason: "STATIC", metadata: { owner: "payments", ticket: 4411 } },
    });
    expect(c.variationDetail("layout", "classic")).toStrictEqual({
      value: "one-page",
      variation: 1,
      reason: "STATIC",
      variant: "one-page",
      flagMetadata: { owner: "payments", ticket: 4411 },
    });
  });

  it.each([
    ["bool", "yes"],
    ["bool", 1],
    ["text", true],
    ["count", "0"],
    ["list", { a: 1 }],
    ["object", ["x"]],
  ])("answers TYPE_MISMATCH with the fallback for %s read with %j", async (key, fallback) => {
    const c = await withFlags(flags);
    expect(c.variationDetail(key, fallback)).toEqual({
      value: fallback,
      variation: null,
      reason: "ERROR",
      errorCode: "TYPE_MISMATCH",
    });
    expect(c.variation(key, fallback)).toEqual(fallback);
  });

  it("answers FLAG_NOT_FOUND for unknown, inherited and weird keys", async () => {
    const c = await withFlags({ bool: flags["bool"] ?? { value: true, variation: 0, reason: "STATIC" } });
    const weirdKeys: unknown[] = [
      "missing",
      "",
      "constructor",
      "toString",
      "hasOwnProperty",
      "__proto__",
      "a".repeat(10_000),
      "🚀",
      42,
      undefined,
      null,
      {},
    ];
    for (const key of weirdKeys) {
      // The SDK is also called from JavaScript, where nothing stops a non-string key.
      const detail = Reflect.apply(c.variationDetail, c, [key, "fallback"]);
      expect(detail).toEqual({ value: "fallback", variation: null, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
      expect(Reflect.apply(c.isEnabled, c, [key])).toBe(false);
    }
  });

  it("passes the server's error code through for a flag it could not evaluate", async () => {
    const c = await withFlags(flags);
    expect(c.variationDetail("broken", "x")).toEqual({ value: "x", variation: null, reason: "ERROR", errorCode: "PARSE_ERROR" });
  });

  it("never throws, even for a key whose toString throws or a malformed entry", async () => {
    const malformed: unknown = { flags: { odd: "not an entry", nullish: null, empty: {} } };
    FakeEventSource.reset();
    client = createClient(fakeOptions(new FakeFetch({ status: 200, body: malformed })));
    await client.ready();
    const c = client;
    const hostile = {
      toString: () => {
        throw new Error("boom");
      },
    };

    expect(Reflect.apply(c.variationDetail, c, [hostile, true])).toEqual({
      value: true,
      variation: null,
      reason: "ERROR",
      errorCode: "GENERAL",
    });
    expect(c.variationDetail("odd", 1)).toMatchObject({ value: 1, errorCode: "FLAG_NOT_FOUND" });
    expect(c.variationDetail("nullish", 1)).toMatchObject({ value: 1, errorCode: "FLAG_NOT_FOUND" });
    expect(c.variationDetail("empty", 1)).toMatchObject({ value: 1, errorCode: "GENERAL" });
  });

  it("a null fallback accepts a value of any type", async () => {
    const c = await withFlags(flags);
    expect(c.variation("object", null)).toEqual({ limit: 3 });
    expect(c.variation("missing", null)).toBe(null);
  });

  it("isEnabled is true only for a boolean true", async () => {
    const c = await withFlags(flags);
    expect(c.isEnabled("bool")).toBe(true);
    expect(c.isEnabled("text")).toBe(false);
  });

  it("serves a key named __proto__ from JSON as an ordinary flag, through patches too", async () => {
    const parsed: unknown = JSON.parse('{"flags":{"__proto__":{"value":true,"variation":0,"reason":"STATIC"}}}');
    FakeEventSource.reset();
    client = createClient(fakeOptions(new FakeFetch({ status: 200, body: parsed })));
    await client.ready();
    expect(client.isEnabled("__proto__")).toBe(true);

    FakeEventSource.latest().send("patch", '{"flags":{"other":{"value":true,"variation":0,"reason":"STATIC"}}}');
    expect(client.isEnabled("__proto__")).toBe(true);
    expect(client.isEnabled("other")).toBe(true);
    expect(Object.keys(client.allFlags()).sort()).toEqual(["__proto__", "other"]);
  });
});
