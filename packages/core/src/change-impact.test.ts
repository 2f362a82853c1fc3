import { describe, expect, it } from "vitest";
import { bucket } from "./bucketing";
import { changeImpact } from "./change-impact";
import { compile } from "./engine";
import { rolloutFlips } from "./rollout-flips";
import { attributesUsed, sampleContext } from "./seen-context";
import type { FlagConfig, FlagDefinition, Snapshot } from "./types";

const rollout = (on: number): FlagConfig => ({
  enabled: true,
  offVariation: 1,
  rules: [],
  fallthrough: { rollout: { weights: [on, 100_000 - on] } },
});
const flag = (key: string, config: FlagConfig): FlagDefinition => ({ key, version: 1, variations: [true, false], ...config });
const contexts = Array.from({ length: 2_000 }, (_, i) => ({ context: { key: `user-${i}` }, weight: 1 + (i % 3) }));

describe("rolloutFlips", () => {
  it("gives the exact share a 10 % → 50 % rollout flips, and none for an unchanged one", () => {
    expect(rolloutFlips("checkout", 2, rollout(10_000), rollout(50_000))).toEqual([
      { serve: "fallthrough", before: [10_000, 90_000], after: [50_000, 50_000], flipShare: 0.4, exact: true },
    ]);
    expect(rolloutFlips("checkout", 2, rollout(10_000), rollout(10_000))).toEqual([]);
  });

  it("compares a fixed variation with a rollout exactly, and a re-salted rollout as independent buckets", () => {
    const fixed: FlagConfig = { ...rollout(0), fallthrough: { variation: 0 } };
    expect(rolloutFlips("checkout", 2, fixed, rollout(25_000))[0]).toMatchObject({ flipShare: 0.75, exact: true });
    const salted: FlagConfig = { ...rollout(0), fallthrough: { rollout: { salt: "other", weights: [50_000, 50_000] } } };
    expect(rolloutFlips("checkout", 2, rollout(50_000), salted)[0]).toMatchObject({ flipShare: 0.5, exact: false });
  });
});

describe("changeImpact", () => {
  it("flips exactly the contexts whose bucket lies in [10000, 50000) when a rollout goes 10 % → 50 %", () => {
    const before = compile({ flags: [flag("checkout", rollout(10_000))], segments: [] });
    const after = compile({ flags: [flag("checkout", rollout(50_000))], segments: [] });
    const impact = changeImpact({ flag: "checkout", before, after, contexts, sampleSize: 3 });
    const flipping = contexts.filter(({ context }) => {
      const b = bucket("checkout", context.key);
      return b >= 10_000 && b < 50_000;
    });
    const total = contexts.reduce((sum, c) => sum + c.weight, 0);
    const flipped = flipping.reduce((sum, c) => sum + c.weight, 0);
    expect(impact.contexts).toBe(2_000);
    expect(impact.flag.flips).toEqual({ contexts: flipping.length, evaluations: flipped, share: flipped / total });
    expect(impact.flag.examples).toHaveLength(3);
    expect(impact.flag.examples[0]).toMatchObject({
      weight: 3,
      before: { value: false, variation: 1, reason: "SPLIT" },
      after: { value: true, variation: 0, reason: "SPLIT" },
    });
    expect(impact.flag.after.find((c) => c.variation === 0)?.contexts).toBe(
      contexts.filter(({ context }) => bucket("checkout", context.key) < 50_000).length,
    );
  });

  it("names the deciding rule before and after, and carries the change through to dependents", () => {
    const staff: FlagConfig = {
      ...rollout(0),
      rules: [{ id: "staff", conditions: [{ attribute: "email", operator: "endsWith", values: ["@acme.com"] }], serve: { variation: 0 } }],
      fallthrough: { variation: 1 },
    };
    const dependent = flag("payments", {
      ...rollout(0),
      fallthrough: { variation: 0 },
      prerequisites: [{ flag: "checkout", variation: 0 }],
    });
    const before = compile({ flags: [flag("checkout", { ...staff, rules: [] }), dependent], segments: [] });
    const after = compile({ flags: [flag("checkout", staff), dependent], segments: [] });
    const impact = changeImpact({
      flag: "checkout",
      before,
      after,
      contexts: [
        { context: { key: "ada", email: "ada@acme.com" }, weight: 5 },
        { context: { key: "bob", email: "bob@example.com" }, weight: 1 },
      ],
    });
    expect(impact.flag.flips).toEqual({ contexts: 1, evaluations: 5, share: 5 / 6 });
    expect(impact.flag.examples).toEqual([
      {
        context: { key: "ada", email: "ada@acme.com" },
        weight: 5,
        before: { value: false, variation: 1, reason: "STATIC" },
        after: { value: true, variation: 0, reason: "TARGETING_MATCH", ruleId: "staff" },
      },
    ]);
    expect(impact.dependents).toEqual([
      expect.objectContaining({
        flag: "payments",
        flips: { contexts: 1, evaluations: 5, share: 5 / 6 },
        examples: [expect.objectContaining({ before: expect.objectContaining({ reason: "DISABLED", prerequisiteKey: "checkout" }) })],
      }),
    ]);
  });
});

describe("seen-context attributes", () => {
  const snapshot: Snapshot = {
    flags: [
      flag("checkout", {
        ...rollout(0),
        rules: [
          { id: "r", conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], segments: ["beta"], serve: { variation: 0 } },
        ],
        fallthrough: { rollout: { bucketBy: "accountId", weights: [50_000, 50_000] } },
      }),
    ],
    segments: [
      {
        key: "beta",
        included: [],
        excluded: [],
        rules: [{ id: "s", conditions: [{ attribute: "country", operator: "in", values: ["DE"] }] }],
        version: 1,
      },
      {
        key: "unused",
        included: [],
        excluded: [],
        rules: [{ id: "u", conditions: [{ attribute: "email", operator: "exists", values: [] }] }],
        version: 1,
      },
    ],
  };

  it("are the key, rule and used-segment conditions and bucketBy attributes", () => {
    expect(attributesUsed(snapshot)).toEqual(["accountId", "country", "key", "plan"]);
  });

  it("keep only those, minus withheld ones, and skip contexts without a key", () => {
    const context = { key: "u1", plan: "pro", country: "DE", email: "u1@example.com", accountId: 7, nested: { a: 1 } };
    expect(sampleContext(context, attributesUsed(snapshot), new Set(["country"]))).toEqual({ key: "u1", plan: "pro", accountId: 7 });
    expect(sampleContext({ plan: "pro" }, ["plan"])).toBeUndefined();
  });
});
