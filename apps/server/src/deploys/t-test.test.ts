import { describe, expect, it } from "vitest";
import { normalUpperTail } from "./proportion-test";
import { logGamma, regularizedIncompleteBeta, studentTUpperTail, summarize, welchTTest } from "./t-test";

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

// Reference values from scipy 1.17 (scipy.stats.t.sf, scipy.special.betainc, ttest_ind(equal_var=False)).
describe("studentTUpperTail", () => {
  it.each([
    [2, 10, 0.03669401738537018],
    [1, 1, 0.25],
    [0, 5, 0.5],
    [3, 2.5, 0.036288047774515914],
    [-1.5, 7, 0.911350756505015],
    [2.5, 30, 0.009057824534033344],
    [10, 3, 0.0010641995292070751],
    [25, 21.7, 8.687962406497743e-18],
    [0.5, 0.6, 0.3712306532253742],
    [6, 100, 1.586245751401426e-8],
    [1.2, 2.3, 0.16954985605148695],
    [1.96, 1e6, 0.024998033792634926],
    [10, 1e6, 7.63930538408909e-24],
  ])("P(T > %s | df = %s) = %s", (t, df, expected) => {
    expect(relativeError(studentTUpperTail(t, df), expected)).toBeLessThan(1e-9);
  });

  it("matches the published table: t = 2.228 is the one-sided 2.5% point at df 10, 2.764 the 1% point", () => {
    expect(studentTUpperTail(2.228, 10)).toBeCloseTo(0.025, 4);
    expect(studentTUpperTail(2.764, 10)).toBeCloseTo(0.01, 4);
  });

  it("approaches the normal from above as df grows (t's tails stay heavier: +2.5e-5 relative at z = 3, df = 10⁶)", () => {
    for (const z of [0.5, 1.6448536269514722, 1.96, 3]) {
      expect(relativeError(studentTUpperTail(z, 1e6), normalUpperTail(z))).toBeLessThan(3e-5);
      expect(studentTUpperTail(z, 1e4)).toBeGreaterThan(studentTUpperTail(z, 1e6));
    }
  });

  it("keeps its digits for a tiny t and answers the infinite and the undefined", () => {
    expect(studentTUpperTail(1e-9, 4)).toBeCloseTo(0.499999999625, 12);
    expect(studentTUpperTail(Infinity, 3)).toBe(0);
    expect(studentTUpperTail(-Infinity, 3)).toBe(1);
    expect(studentTUpperTail(1, 0)).toBeNaN();
  });
});

describe("regularizedIncompleteBeta and logGamma", () => {
  it.each([
    [0.3, 2, 3, 0.3483],
    [0.9, 0.5, 0.5, 0.7951672353008665],
    [0.01, 50, 0.5, 0],
    [0.999, 0.5, 50, 1],
  ])("I_%s(%s, %s) = %s", (x, a, b, expected) => {
    expect(regularizedIncompleteBeta(x, a, b)).toBeCloseTo(expected, 12);
  });

  it("is exact at the ends", () => {
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });

  it.each([
    [0.5, Math.log(Math.sqrt(Math.PI))],
    [1, 0],
    [10, Math.log(362880)],
    [0.1, 2.252712651734206],
  ])("lnΓ(%s) = %s", (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 12);
  });
});

describe("welchTTest (one-sided: a > b)", () => {
  it("matches scipy for unequal sizes and variances (t = 3.4127, df = 3.887, p = 0.014097)", () => {
    const result = welchTTest(summarize([12.1, 14.3, 11.8, 13.0]), summarize([10.2, 10.9, 11.5, 10.1, 10.8, 11.0]));
    expect(result.t).toBeCloseTo(3.4127190435498576, 12);
    expect(result.df).toBeCloseTo(3.887151949909814, 12);
    expect(relativeError(result.pValue, 0.014097177835998658)).toBeLessThan(1e-9);
    expect(welchTTest(summarize([10.2, 10.9, 11.5, 10.1, 10.8, 11.0]), summarize([12.1, 14.3, 11.8, 13.0])).pValue).toBeCloseTo(
      0.9859028221640014,
      12,
    );
  });

  it("finds 1400 ms vs 400 ms overwhelming (t = 58.28, df = 6.23, p ≈ 4.5e-10)", () => {
    const result = welchTTest(summarize([1390, 1450, 1360, 1420, 1400]), summarize([410, 380, 400, 395, 430]));
    expect(result).toMatchObject({ t: expect.closeTo(58.2804732, 6), df: expect.closeTo(6.2342175, 6) });
    expect(relativeError(result.pValue, 4.5160827770735307e-10)).toBeLessThan(1e-9);
  });

  it("treats constant samples as certain when their means differ, and as no evidence when they do not", () => {
    const constant = (value: number, count: number) => summarize(Array.from({ length: count }, () => value));
    expect(constant(420.1, 7)).toStrictEqual({ count: 7, mean: 420.1, variance: 0 });
    expect(welchTTest(constant(910, 4), constant(420, 3))).toStrictEqual({ t: Infinity, df: 5, pValue: 0 });
    expect(welchTTest(constant(420, 4), constant(910, 3))).toStrictEqual({ t: -Infinity, df: 5, pValue: 1 });
    expect(welchTTest(constant(420, 4), constant(420, 3))).toStrictEqual({ t: 0, df: 5, pValue: 0.5 });
  });

  it("refuses a sample without a variance", () => {
    expect(() => welchTTest(summarize([1]), summarize([1, 2]))).toThrow(RangeError);
  });
});
