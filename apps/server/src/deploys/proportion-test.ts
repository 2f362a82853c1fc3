/**
 * The two-proportion z-test, written out rather than imported: the engine needs one test and
 * one distribution, and both fit on a page.
 */

/** 1 − erf(x), Chebyshev fit (Numerical Recipes `erfcc`): relative error below 1.2e-7 everywhere. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const result = t * Math.exp(poly);
  return x >= 0 ? result : 2 - result;
}

/** P(Z > z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

export interface ProportionSample {
  /** Events counted (e.g. errors). */
  events: number;
  /** Trials they were counted among (e.g. requests). */
  trials: number;
}

export interface ZTestResult {
  /** (p_a − p_b) / standard error under H0: p_a = p_b, with the pooled proportion. */
  z: number;
  /** One-sided: P(Z ≥ z), the evidence that a's proportion is greater than b's. */
  pValue: number;
}

/**
 * One-sided pooled two-proportion z-test of H1: p_a > p_b (no continuity correction; equals
 * R's `prop.test(correct = FALSE, alternative = "greater")`). For H1: p_a < p_b, swap the
 * arguments. When both proportions are 0 or both 1 there is no variance and no evidence:
 * z = 0, p = 0.5.
 */
export function twoProportionZTest(a: ProportionSample, b: ProportionSample): ZTestResult {
  if (a.trials <= 0 || b.trials <= 0) throw new RangeError("both samples need at least one trial");
  const pa = a.events / a.trials;
  const pb = b.events / b.trials;
  const pooled = (a.events + b.events) / (a.trials + b.trials);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  if (standardError === 0) return { z: 0, pValue: 0.5 };
  const z = (pa - pb) / standardError;
  return { z, pValue: normalUpperTail(z) };
}
