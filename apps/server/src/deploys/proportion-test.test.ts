import { describe, expect, it } from "vitest";
import { normalUpperTail, twoProportionZTest } from "./proportion-test";

// Reference values from scipy.stats.norm.sf and R's prop.test(correct = FALSE, alternative = "greater").
describe("normalUpperTail", () => {
  it.each([
    [0, 0.5],
    [1.959963984540054, 0.025],
    [2.3263478740408408, 0.01],
    [3, 0.0013498980316300933],
    [-1.6448536269514722, 0.95],
    [6, 9.865876450376946e-10],
  ])("P(Z > %s) = %s", (z, expected) => {
    expect(Math.abs(normalUpperTail(z) - expected) / expected).toBeLessThan(2e-7);
  });
});

describe("twoProportionZTest (pooled, one-sided: a > b)", () => {
  it("matches prop.test for 12/200 vs 5/200 (X² = 3.0103, p = 0.04137)", () => {
    const { z, pValue } = twoProportionZTest({ events: 12, trials: 200 }, { events: 5, trials: 200 });
    expect(z).toBeCloseTo(1.7350188, 6);
    expect(z * z).toBeCloseTo(3.0103, 4);
    expect(pValue).toBeCloseTo(0.0413687, 6);
  });

  it("matches for 45/500 vs 30/500 (z = 1.8009, p = 0.03586)", () => {
    const { z, pValue } = twoProportionZTest({ events: 45, trials: 500 }, { events: 30, trials: 500 });
    expect(z).toBeCloseTo(1.8009007, 6);
    expect(pValue).toBeCloseTo(0.0358593, 6);
  });

  it("finds 8% of 1000 vs 1% of 1000 overwhelming (z = 7.5505, p ≈ 2.17e-14)", () => {
    const { z, pValue } = twoProportionZTest({ events: 80, trials: 1000 }, { events: 10, trials: 1000 });
    expect(z).toBeCloseTo(7.5504894, 6);
    expect(pValue / 2.1681292448040616e-14).toBeCloseTo(1, 5);
  });

  it("is one-sided: the better cohort gets p > 0.5", () => {
    const { z, pValue } = twoProportionZTest({ events: 10, trials: 1000 }, { events: 80, trials: 1000 });
    expect(z).toBeCloseTo(-7.5504894, 6);
    expect(pValue).toBeGreaterThan(0.999);
  });

  it("gives no evidence when neither cohort had an event", () => {
    expect(twoProportionZTest({ events: 0, trials: 300 }, { events: 0, trials: 300 })).toStrictEqual({ z: 0, pValue: 0.5 });
  });

  it("refuses an empty cohort", () => {
    expect(() => twoProportionZTest({ events: 0, trials: 0 }, { events: 1, trials: 10 })).toThrow(RangeError);
  });
});
