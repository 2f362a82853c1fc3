import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClient } from "./client";
import { booleanFlag, snapshot, staticFlag } from "./testing/fixtures";
import { type Harness, harness, nextEvent } from "./testing/harness";
import { callUntyped } from "./testing/untyped-call";

const initial = snapshot(1, [
  booleanFlag("on", true),
  staticFlag("text-true", ["true"], 0),
  staticFlag("limits", [{ max: 10 }, [1, 2]], 0),
  staticFlag("ratio", [0.5], 0),
]);

describe("evaluation", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ snapshot: initial });
  });
  afterEach(() => h.cleanup());

  it("serves the fallback with PROVIDER_NOT_READY before any data", () => {
    h.server.holdStreams = true;
    const client = h.client();
    expect(client.isEnabled("on")).toBe(false);
    expect(client.variationDetail("on", { key: "u1" }, true)).toStrictEqual({
      value: true,
      variation: null,
      reason: "ERROR",
      errorCode: "PROVIDER_NOT_READY",
      errorMessage: "no flag data yet (no bootstrap, no backup, server not reached)",
    });
  });

  it("is enabled only for the boolean true", async () => {
    const client = h.client();
    await client.ready();
    expect(client.isEnabled("on")).toBe(true);
    expect(client.isEnabled("text-true")).toBe(false);
    expect(client.isEnabled("missing")).toBe(false);
  });

  it("returns the fallback with TYPE_MISMATCH when the value's type differs from the fallback's", async () => {
    const client = h.client();
    await client.ready();
    expect(client.variationDetail("text-true", undefined, false)).toStrictEqual({
      value: false,
      variation: null,
      reason: "ERROR",
      errorCode: "TYPE_MISMATCH",
      errorMessage: 'flag "text-true" serves a string but the fallback is a boolean',
    });
    expect(client.variation("ratio", undefined, "x")).toBe("x");
    expect(client.variation("ratio", undefined, 1)).toBe(0.5);
    expect(client.variation("limits", undefined, { max: 1 })).toStrictEqual({ max: 10 });
    expect(client.variation("limits", undefined, [0])).toStrictEqual({ max: 10 }); // arrays and objects are one kind
  });

  it("maps OpenFeature's targetingKey to key", async () => {
    await h.cleanup();
    h = await harness({
      snapshot: snapshot(1, [
        {
          ...booleanFlag("vip", true),
          rules: [{ id: "ann", conditions: [{ attribute: "key", operator: "in", values: ["ann"] }], serve: { variation: 0 } }],
          fallthrough: { variation: 1 },
        },
      ]),
    });
    const client = h.client();
    await client.ready();
    expect(client.variationDetail("vip", { targetingKey: "ann" }, false)).toStrictEqual({
      value: true,
      variation: 0,
      variant: "0",
      reason: "TARGETING_MATCH",
      ruleId: "ann",
    });
  });

  it("never throws, whatever it is given", async () => {
    const client = h.client();
    await client.ready();
    const circular: Record<string, unknown> = { key: "c" };
    circular.self = circular;
    const hostile = Object.defineProperty({}, "key", {
      get() {
        throw new Error("hostile getter");
      },
    });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const unprintable = {
      toString() {
        throw new Error("no string for you");
      },
    };
    const keys = [undefined, null, 42, {}, [], Symbol("key"), unprintable, "__proto__", "constructor", "toString", "", "on"];
    const contexts = [undefined, null, "ctx", 42, [], circular, hostile, revoked.proxy, { key: { nested: true } }];
    const fallbacks = [undefined, null, Number.NaN, () => 1, false, "x", { a: 1 }, unprintable];
    for (const key of keys) {
      for (const context of contexts) {
        for (const fallback of fallbacks) {
          expect(() => callUntyped(client, "variationDetail", key, context, fallback)).not.toThrow();
          expect(() => callUntyped(client, "variation", key, context, fallback)).not.toThrow();
        }
        expect(typeof callUntyped(client, "isEnabled", key, context)).toBe("boolean");
        expect(() => callUntyped(client, "track", key, context, "not a number")).not.toThrow();
      }
    }
    expect(callUntyped(client, "variationDetail", "on", hostile, false)).toStrictEqual({
      value: false,
      variation: null,
      reason: "ERROR",
      errorCode: "GENERAL",
      errorMessage: "hostile getter",
    });
    expect(h.logger.warnings).toContain('Switchyard: evaluating "on" failed, serving the fallback: hostile getter');
  });

  it("survives a throwing logger and a throwing listener", async () => {
    const client = h.client({
      logger: {
        warn: () => {
          throw new Error("logger down");
        },
        error: () => {
          throw new Error("logger down");
        },
      },
    });
    client.on("change", () => {
      throw new Error("listener bug");
    });
    await client.ready();
    const hostile = Object.defineProperty({}, "key", {
      get() {
        throw new Error("hostile getter");
      },
    });
    expect(callUntyped(client, "variation", "on", hostile, "fallback")).toBe("fallback");
    const after = nextEvent(client, "change");
    h.server.patchFlag(booleanFlag("on", false, 2));
    await after;
    expect(client.isEnabled("on")).toBe(false);
  });

  it("rejects invalid options at creation, listing every problem", () => {
    expect(() => callUntyped({ createClient }, "createClient", { url: "ftp://x", pollIntervalMs: -1 })).toThrow(
      new TypeError(
        "Invalid Switchyard client options:\n" +
          '- url: must be http or https, got "ftp://x"\n' +
          "- token: required, a server token of one environment\n" +
          "- pollIntervalMs: must be a number of milliseconds between 1 and 2147483647",
      ),
    );
  });
});
