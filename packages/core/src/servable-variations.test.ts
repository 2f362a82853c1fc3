import { describe, expect, it } from "vitest";
import { servableVariations } from "./servable-variations";
import type { FlagConfig, Rule, Serve } from "./types";

const off = (offVariation = 1): FlagConfig => ({
  enabled: false,
  offVariation,
  rules: [],
  fallthrough: { variation: 0 },
  prerequisites: [],
});
const on = (fallthrough: Serve, rules: Rule[] = [], offVariation = 1): FlagConfig => ({
  enabled: true,
  offVariation,
  rules,
  fallthrough,
  prerequisites: [],
});
const rule = (
  id: string,
  serve: Serve,
  conditions: Rule["conditions"] = [{ attribute: "plan", operator: "in", values: ["pro"] }],
): Rule => ({ id, conditions, serve });

describe("servableVariations", () => {
  it("is the off variation when off, whatever the rules say", () => {
    expect(servableVariations(off(1))).toEqual([1]);
  });

  it("collects every rule's serve and the fallthrough", () => {
    expect(servableVariations(on({ variation: 0 }, [rule("a", { variation: 2 })]))).toEqual([0, 2]);
    expect(servableVariations(on({ variation: 0 }, [rule("a", { variation: 0 })]))).toEqual([0]);
  });

  it("takes the variations of a rollout that have weight", () => {
    expect(servableVariations(on({ rollout: { weights: [0, 100_000, 0] } }))).toEqual([1]);
    expect(servableVariations(on({ rollout: { weights: [1, 99_999] } }))).toEqual([0, 1]);
  });

  it("stops at a rule with neither conditions nor segments, and counts a segment as a condition", () => {
    expect(servableVariations(on({ variation: 1 }, [rule("all", { variation: 0 }, [])]))).toEqual([0]);
    expect(servableVariations(on({ variation: 1 }, [{ id: "beta", conditions: [], segments: ["beta"], serve: { variation: 0 } }]))).toEqual(
      [0, 1],
    );
  });

  it("adds the off variation when a prerequisite may be unmet", () => {
    expect(servableVariations({ ...on({ variation: 0 }), prerequisites: [{ flag: "other", variation: 0 }] })).toEqual([0, 1]);
  });
});
