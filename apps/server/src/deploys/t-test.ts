/**
 * Welch's t-test and the Student t distribution it needs, written out rather than imported (as
 * the z-test is): one distribution, computed through the regularized incomplete beta function
 * with the continued fraction of Numerical Recipes §6.4, evaluated by the modified Lentz method.
 */

const EPSILON = 1e-15;
/** Guards the Lentz recurrences against division by zero. */
const TINY = 1e-300;
/** The continued fraction needs about √max(a, b) terms; this covers df up to ~10¹⁰. */
const MAX_ITERATIONS = 100_000;

/** ln Γ(x) for x > 0: the Lanczos approximation (g = 7, 9 terms), relative error below 1e-15. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0] ?? 0;
  for (let i = 1; i < c.length; i++) sum += (c[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction for I_x(a, b) (NR `betacf`), by the modified Lentz method; converges fast for x < (a+1)/(a+b+2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const clamp = (v: number) => (Math.abs(v) < TINY ? TINY : v);
  let c = 1;
  let d = 1 / clamp(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // Even step: d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)).
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / clamp(1 + even * d);
    c = clamp(1 + even / c);
    h *= d * c;
    // Odd step: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)).
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / clamp(1 + odd * d);
    c = clamp(1 + odd / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) return h;
  }
  return h; // not reached for the a, b a t-test produces; the last convergent is the best estimate
}

/**
 * The regularized incomplete beta function I_x(a, b) for 0 ≤ x ≤ 1, a, b > 0. A caller that
 * knows 1 − x more precisely than `1 - x` gives it as `complement` (x near 1 loses its digits).
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number, complement = 1 - x): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x) || Number.isNaN(complement)) return Number.NaN;
  if (x <= 0) return 0;
  if (complement <= 0) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(complement);
  // The fraction converges quickly only below the mean; above it, I_x(a, b) = 1 − I_{1−x}(b, a).
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(complement, b, a)) / b;
}

/** P(T > t) for Student's t with `df` > 0 degrees of freedom (df need not be whole, as Welch's is not). */
export function studentTUpperTail(t: number, df: number): number {
  if (!(df > 0) || Number.isNaN(t)) return Number.NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  // P(|T| > |t|) = I_x(df/2, 1/2) with x = df/(df+t²); 1 − x = t²/(df+t²) is passed as computed, so
  // a small t or a large df keeps its digits.
  const t2 = t * t;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
  return t >= 0 ? tail : 1 - tail;
}

export interface MeanSample {
  count: number;
  mean: number;
  /** Sample variance (n − 1 denominator). */
  variance: number;
}

/** Count, mean and sample variance in one pass (Welford): identical values give exactly their value and variance 0. */
export function summarize(values: readonly number[]): MeanSample {
  let mean = 0;
  let squares = 0;
  values.forEach((value, i) => {
    const delta = value - mean;
    mean += delta / (i + 1);
    squares += delta * (value - mean);
  });
  return { count: values.length, mean, variance: values.length > 1 ? squares / (values.length - 1) : 0 };
}

export interface TTestResult {
  /** (mean_a − mean_b) / √(var_a/n_a + var_b/n_b); ±Infinity when neither sample varies and the means differ. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** One-sided: the evidence that a's mean is greater than b's. */
  pValue: number;
}

/**
 * One-sided Welch's t-test of H1: mean_a > mean_b, unequal variances, Welch–Satterthwaite df
 * (equals scipy's `ttest_ind(a, b, equal_var=False, alternative="greater")`). For H1: mean_a <
 * mean_b, swap the arguments. When neither sample varies (every value identical within each)
 * the standard error is 0: different means are certain (t = ±∞, p = 0 or 1) and equal means are
 * no evidence (t = 0, p = 0.5); df is then n_a + n_b − 2, Student's, as the Welch formula is 0/0.
 */
export function welchTTest(a: MeanSample, b: MeanSample): TTestResult {
  if (a.count < 2 || b.count < 2) throw new RangeError("both samples need at least two values");
  const va = a.variance / a.count;
  const vb = b.variance / b.count;
  const difference = a.mean - b.mean;
  if (va + vb === 0) {
    const df = a.count + b.count - 2;
    if (difference === 0) return { t: 0, df, pValue: 0.5 };
    return difference > 0 ? { t: Infinity, df, pValue: 0 } : { t: -Infinity, df, pValue: 1 };
  }
  const t = difference / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.count - 1) + vb ** 2 / (b.count - 1));
  return { t, df, pValue: studentTUpperTail(t, df) };
}
