import { describe, expect, it } from "vitest";
import { type FlagConfigReferences, validateFlagConfig } from "./config-validation";
import { findPrerequisiteCycle } from "./prerequisite-cycle";
import type { FlagConfig } from "./types";

const refs: FlagConfigReferences = {
  flagKey: "checkout",
  variationCount: 2,
  segmentExists: (key) => key === "beta",
  flagExists: (key) => ["checkout", "payments", "ui"].includes(key),
  variationCountOf: (key) => (key === "ui" ? 3 : 2),
};

const valid: FlagConfig = {
  enabled: true,
  offVariation: 1,
  rules: [{ id: "r1", conditions: [], segments: ["beta"], serve: { variation: 0 } }],
  fallthrough: { rollout: { weights: [50_000, 50_000] } },
  prerequisites: [{ flag: "ui", variation: 2 }],
};

describe("validateFlagConfig", () => {
  it("accepts a consistent config", () => {
    expect(validateFlagConfig(valid, refs)).toEqual([]);
  });

  it("reports each problem at its path", () => {
    const config: FlagConfig = {
      enabled: true,
      offVariation: 2,
      rules: [
        { id: "r1", conditions: [], segments: ["beta", "gamma"], serve: { variation: 3 } },
        { id: "r1", conditions: [], serve: { rollout: { weights: [100_000] } } },
      ],
      fallthrough: { variation: 2 },
      prerequisites: [
        { flag: "checkout", variation: 0 },
        { flag: "nope", variation: 0 },
        { flag: "ui", variation: 3 },
        { flag: "ui", variation: 0 },
      ],
    };
    const issues = validateFlagConfig(config, refs);
    expect(issues).toEqual([
      { path: ["offVariation"], message: "offVariation 2 does not exist: the flag has 2 variation(s) (0–1)" },
      { path: ["rules", 0, "segments", 1], message: 'unknown segment "gamma"' },
      { path: ["rules", 0, "serve", "variation"], message: "variation 3 does not exist: the flag has 2 variation(s) (0–1)" },
      { path: ["rules", 1, "id"], message: 'duplicate rule id "r1" (also rules[0])' },
      { path: ["rules", 1, "serve", "rollout", "weights"], message: "expected 2 weights (one per variation), got 1" },
      { path: ["fallthrough", "variation"], message: "variation 2 does not exist: the flag has 2 variation(s) (0–1)" },
      { path: ["prerequisites", 0, "flag"], message: "a flag cannot be its own prerequisite" },
      { path: ["prerequisites", 1, "flag"], message: 'unknown flag "nope"' },
      { path: ["prerequisites", 2, "variation"], message: 'variation 3 does not exist: flag "ui" has 3 variation(s)' },
      { path: ["prerequisites", 3, "flag"], message: 'duplicate prerequisite "ui"' },
    ]);
  });

  it("reports a prerequisite cycle the config would close", () => {
    const graph = new Map([["payments", ["checkout"]]]);
    const issues = validateFlagConfig(
      { ...valid, prerequisites: [{ flag: "payments", variation: 0 }] },
      { ...refs, prerequisiteCycle: (keys) => findPrerequisiteCycle("checkout", new Map(graph).set("checkout", keys)) },
    );
    expect(issues).toEqual([{ path: ["prerequisites"], message: "prerequisite cycle: checkout -> payments -> checkout" }]);
  });
});

describe("findPrerequisiteCycle", () => {
  it("returns null without a cycle, even through shared dependencies", () => {
    const graph = new Map([
      ["a", ["b", "c"]],
      ["b", ["d"]],
      ["c", ["d"]],
      ["d", []],
    ]);
    expect(findPrerequisiteCycle("a", graph)).toBeNull();
  });

  it("returns the cycle as a closed path", () => {
    expect(findPrerequisiteCycle("a", new Map([["a", ["a"]]]))).toEqual(["a", "a"]);
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c", "d"]],
      ["d", ["b"]],
    ]);
    expect(findPrerequisiteCycle("a", graph)).toEqual(["b", "d", "b"]);
  });

  it("handles deep chains without recursion", () => {
    const graph = new Map(Array.from({ length: 100_000 }, (_, i) => [`f${i}`, [`f${i + 1}`]]));
    expect(findPrerequisiteCycle("f0", graph)).toBeNull();
    graph.set("f100000", ["f0"]);
    expect(findPrerequisiteCycle("f0", graph)?.length).toBe(100_002);
  });
});
