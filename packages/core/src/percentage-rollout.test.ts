import { describe, expect, it } from "vitest";
import { compile } from "./engine";
import type { FlagDefinition, VariationValue } from "./types";

function rolloutFlag(weights: number[], variations: VariationValue[] = [true, false]): FlagDefinition {
  return {
    key: "checkout",
    version: 1,
    variations,
    enabled: true,
    offVariation: 1,
    rules: [],
    fallthrough: { rollout: { weights } },
  };
}

const KEYS = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);

function variationCounts(flag: FlagDefinition): number[] {
  const engine = compile({ flags: [flag], segments: [] });
  const counts = flag.variations.map(() => 0);
  for (const key of KEYS) {
    const { variation } = engine.evaluate(flag.key, { key });
    if (variation !== null) counts[variation] = (counts[variation] ?? 0) + 1;
  }
  return counts;
}

describe("percentage rollouts", () => {
  it("serves 25 % ± 1 % of 100,000 keys", () => {
    const [on = 0] = variationCounts(rolloutFlag([25_000, 75_000]));
    expect(on / KEYS.length).toBeGreaterThan(0.24);
    expect(on / KEYS.length).toBeLessThan(0.26);
  });

  it("keeps everyone who had the flag at 10 % when raised to 20 %", () => {
    const at10 = compile({ flags: [rolloutFlag([10_000, 90_000])], segments: [] });
    const at20 = compile({ flags: [rolloutFlag([20_000, 80_000])], segments: [] });
    let on10 = 0;
    let lost = 0;
    for (const key of KEYS) {
      if (at10.evaluate("checkout", { key }).value !== true) continue;
      on10++;
      if (at20.evaluate("checkout", { key }).value !== true) lost++;
    }
    expect(on10).toBeGreaterThan(9_000);
    expect(lost).toBe(0);
  });

  it("spreads keys evenly across 4 variations", () => {
    const counts = variationCounts(rolloutFlag([25_000, 25_000, 25_000, 25_000], ["a", "b", "c", "d"]));
    for (const count of counts) {
      expect(count / KEYS.length).toBeGreaterThan(0.24);
      expect(count / KEYS.length).toBeLessThan(0.26);
    }
  });

  it("buckets independently per flag: the same 10 % of users do not get every flag", () => {
    const flags = ["a", "b"].map((key) => ({ ...rolloutFlag([10_000, 90_000]), key }));
    const engine = compile({ flags, segments: [] });
    let both = 0;
    for (const key of KEYS) {
      if (engine.evaluate("a", { key }).value === true && engine.evaluate("b", { key }).value === true) both++;
    }
    // Independent 10 % draws overlap on about 1 % of users, not 10 %.
    expect(both / KEYS.length).toBeLessThan(0.02);
  });
});
