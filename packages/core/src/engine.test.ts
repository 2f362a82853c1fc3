import { describe, expect, it } from "vitest";
import { compile, evaluateFlag } from "./engine";
import type { EvaluationContext, FlagDefinition, Segment, Snapshot } from "./types";

function booleanFlag(key: string, overrides: Partial<FlagDefinition> = {}): FlagDefinition {
  return {
    key,
    version: 1,
    variations: [true, false],
    enabled: true,
    offVariation: 1,
    rules: [],
    fallthrough: { variation: 0 },
    ...overrides,
  };
}

const segment: Segment = { key: "staff", version: 1, included: ["ann"], excluded: [], rules: [] };

const snapshot: Snapshot = {
  flags: [
    booleanFlag("on"),
    booleanFlag("staff-only", {
      rules: [{ id: "staff", conditions: [], segments: ["staff"], serve: { variation: 0 } }],
      fallthrough: { variation: 1 },
    }),
    booleanFlag("rollout", { fallthrough: { rollout: { weights: [50_000, 50_000] } } }),
    booleanFlag("json", { variations: [{ a: [1, { b: 2 }] }, { a: [] }] }),
  ],
  segments: [segment],
};

describe("Engine", () => {
  it("lists, finds and describes its flags", () => {
    const engine = compile(snapshot);
    expect(engine.keys()).toEqual(["on", "staff-only", "rollout", "json"]);
    expect(engine.has("on")).toBe(true);
    expect(engine.has("off")).toBe(false);
    expect(engine.flag("on")).toBe(snapshot.flags[0]);
    expect(engine.flag("nope")).toBeUndefined();
  });

  it("evaluates every flag for one context", () => {
    const results = compile(snapshot).evaluateAll({ key: "ann" });
    expect(Object.keys(results)).toEqual(["on", "staff-only", "rollout", "json"]);
    expect(results["staff-only"]).toEqual({ value: true, variation: 0, variant: "0", reason: "TARGETING_MATCH", ruleId: "staff" });
    expect(results.rollout?.reason).toBe("SPLIT");
  });

  it("returns the same frozen result object for a static outcome", () => {
    const engine = compile(snapshot);
    const first = engine.evaluate("on", { key: "a" });
    expect(engine.evaluate("on", { key: "b" })).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("serves deep-frozen copies of JSON variations", () => {
    const result = compile(snapshot).evaluate("json", {});
    expect(result.value).toEqual({ a: [1, { b: 2 }] });
    expect(Object.isFrozen(result.value)).toBe(true);
    expect(() => {
      // @ts-expect-error — proving the value cannot be mutated through the result
      result.value.a.push(3);
    }).toThrow(TypeError);
    expect(snapshot.flags[3]?.variations[0]).toEqual({ a: [1, { b: 2 }] });
  });

  it("hands out one evaluator per flag that serves what evaluate serves, bound to its snapshot", () => {
    const engine = compile(snapshot);
    const staffOnly = engine.evaluator("staff-only");
    expect(staffOnly?.key).toBe("staff-only");
    expect(engine.evaluator("staff-only")).toBe(staffOnly);
    expect(engine.evaluator("nope")).toBeUndefined();
    for (const key of ["ann", "bob"]) expect(staffOnly?.evaluate({ key })).toEqual(engine.evaluate("staff-only", { key }));
    const updated = engine.update({ segments: [{ ...segment, version: 2, included: ["bob"] }] });
    expect(updated.evaluator("staff-only")).not.toBe(staffOnly);
    expect(updated.evaluator("staff-only")?.evaluate({ key: "bob" }).reason).toBe("TARGETING_MATCH");
    expect(staffOnly?.evaluate({ key: "bob" }).reason).toBe("DEFAULT");
  });

  it("offers a one-off evaluateFlag", () => {
    expect(evaluateFlag(snapshot, "on", {})).toEqual({ value: true, variation: 0, variant: "0", reason: "STATIC" });
  });

  it("turns a flag it cannot compile into PARSE_ERROR results without failing the others", () => {
    // Parsed boundary: deliberately malformed data, as an unvalidated payload could be.
    const broken = { key: "broken", variations: null, rules: 5 } as unknown as FlagDefinition;
    const engine = compile({ flags: [broken, booleanFlag("fine")], segments: [] });
    expect(engine.evaluate("broken", {})).toMatchObject({ value: null, variation: null, reason: "ERROR" });
    expect(engine.evaluate("fine", {})).toEqual({ value: true, variation: 0, variant: "0", reason: "STATIC" });
  });
});

describe("Engine.update", () => {
  it("returns a new engine and leaves the old one unchanged", () => {
    const before = compile(snapshot);
    const after = before.update({ flags: [booleanFlag("on", { enabled: false, version: 2 })], deletedFlags: ["rollout"] });
    expect(before.evaluate("on", {}).reason).toBe("STATIC");
    expect(after.evaluate("on", {}).reason).toBe("DISABLED");
    expect(before.has("rollout")).toBe(true);
    expect(after.has("rollout")).toBe(false);
    expect(after.evaluate("rollout", {}).errorCode).toBe("FLAG_NOT_FOUND");
  });

  it("reuses compiled flags that did not change", () => {
    const before = compile(snapshot);
    const after = before.update({ flags: [booleanFlag("new")] });
    expect(after.evaluate("on", {})).toBe(before.evaluate("on", {}));
    expect(after.evaluate("new", {}).value).toBe(true);
  });

  it("applies segment changes to flags that reference them without recompiling", () => {
    const engine = compile(snapshot);
    expect(engine.evaluate("staff-only", { key: "bob" }).value).toBe(false);
    const withBob = engine.update({ segments: [{ ...segment, included: ["ann", "bob"], version: 2 }] });
    expect(withBob.evaluate("staff-only", { key: "bob" }).value).toBe(true);
    const withoutSegment = withBob.update({ deletedSegments: ["staff"] });
    expect(withoutSegment.evaluate("staff-only", { key: "ann" })).toEqual({ value: false, variation: 1, variant: "1", reason: "DEFAULT" });
  });
});

describe("evaluate never throws", () => {
  const hostile: unknown[] = [
    undefined,
    null,
    0,
    Number.NaN,
    "key",
    true,
    Symbol("s"),
    () => 1,
    [],
    [{ key: "x" }],
    new Map([["key", "x"]]),
    Object.create(null),
    { key: Symbol("k") },
    { key: 1n },
    { key: Number.MAX_VALUE },
    { key: -0 },
    { key: "\uD800" },
    { key: "x".repeat(100_000) },
    { __proto__: { key: "inherited" } },
    { key: "a", country: { toString: 1 }, plan: [[["deep"]]], age: "12", signedUpAt: {}, appVersion: ["1.0.0", 2] },
  ];

  const kitchenSink = booleanFlag("everything", {
    rules: [
      {
        id: "r",
        conditions: [
          { attribute: "country", operator: "in", values: ["US"], negate: true },
          { attribute: "plan", operator: "matches", values: ["^p"] },
          { attribute: "age", operator: "gt", values: [1] },
          { attribute: "signedUpAt", operator: "before", values: ["2024-01-01"] },
          { attribute: "appVersion", operator: "semverGt", values: ["0.1.0"] },
          { attribute: "key", operator: "exists", values: [] },
        ],
        segments: ["staff"],
        serve: { rollout: { weights: [50_000, 50_000] } },
      },
    ],
    fallthrough: { rollout: { bucketBy: "country", weights: [50_000, 50_000] } },
  });

  it("for hostile contexts", () => {
    const engine = compile({ flags: [...snapshot.flags, kitchenSink], segments: [segment] });
    for (const context of hostile) {
      for (const key of [...engine.keys(), "missing"]) {
        // Parsed boundary: JavaScript callers can pass anything as a context.
        const result = engine.evaluate(key, context as EvaluationContext);
        expect(["STATIC", "DEFAULT", "SPLIT", "TARGETING_MATCH", "DISABLED", "ERROR"]).toContain(result.reason);
      }
      expect(() => engine.evaluateAll(context as EvaluationContext)).not.toThrow(); // same boundary
    }
  });

  it("for randomly generated contexts", () => {
    const engine = compile({ flags: [kitchenSink], segments: [segment] });
    const atoms: unknown[] = [null, undefined, 0, -1, 1.5, "", "US", "ann", "1.2.3", "2023-01-01", true, [], {}, ["US", null]];
    let seed = 42;
    const next = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 5_000; i++) {
      const context: Record<string, unknown> = {};
      for (const attribute of ["key", "country", "plan", "age", "signedUpAt", "appVersion"]) {
        if (next() % 3 !== 0) context[attribute] = atoms[next() % atoms.length];
      }
      expect(engine.evaluate("everything", context).reason).not.toBeUndefined();
    }
  });
});
