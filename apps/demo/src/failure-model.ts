/**
 * How the demo checkout fails. Failures are counted off per code path (every n-th request on a
 * path fails) instead of drawn at random: the error rate a user reads in the deploy decision is
 * then exactly the one announced here, on any machine and in any run.
 */

export const FailureModes = {
  /** Both paths fail at the baseline rate. */
  healthy: "healthy",
  /** The new checkout path (the flag's new variation) is broken; the old path stays at baseline. */
  flagged: "flagged",
  /** Both paths are broken: a bug no flag explains. */
  everything: "everything",
} as const;
export type FailureMode = (typeof FailureModes)[keyof typeof FailureModes];

export const CheckoutPaths = { new: "new", old: "old" } as const;
export type CheckoutPath = (typeof CheckoutPaths)[keyof typeof CheckoutPaths];
export const checkoutPathList: readonly CheckoutPath[] = [CheckoutPaths.new, CheckoutPaths.old];

/**
 * 1 in 200 (0.5 %) at baseline stays well under a 2 % error-rate guard; 1 in 5 (20 %) on the
 * broken path breaches it even when only a quarter of the traffic takes that path (25 % × 20 %
 * ≈ 5 % overall).
 */
export const FAILURE_ONE_IN = { baseline: 200, broken: 5 } as const;

export function isFailureMode(value: string): value is FailureMode {
  return Object.hasOwn(FailureModes, value);
}

/** Every how many requests on `path` one fails, in `mode`. */
export function failureOneIn(mode: FailureMode, path: CheckoutPath): number {
  const broken = mode === FailureModes.everything || (mode === FailureModes.flagged && path === CheckoutPaths.new);
  return broken ? FAILURE_ONE_IN.broken : FAILURE_ONE_IN.baseline;
}

/** What each mode does, for people: printed when the mode changes. */
export function describeMode(mode: FailureMode): string {
  const rate = (oneIn: number) => `${(100 / oneIn).toLocaleString("en", { maximumFractionDigits: 1 })}%`;
  switch (mode) {
    case FailureModes.healthy:
      return `healthy: both checkout paths fail ${rate(FAILURE_ONE_IN.baseline)} of requests`;
    case FailureModes.flagged:
      return `flagged: the new checkout path fails ${rate(FAILURE_ONE_IN.broken)} of requests, the old path ${rate(FAILURE_ONE_IN.baseline)}`;
    case FailureModes.everything:
      return `everything: both checkout paths fail ${rate(FAILURE_ONE_IN.broken)} of requests`;
  }
}

/** The current mode and a request counter per path; `fails` decides one request. */
export class FailureModel {
  private readonly served: Record<CheckoutPath, number> = { new: 0, old: 0 };

  constructor(public mode: FailureMode = FailureModes.healthy) {}

  fails(path: CheckoutPath): boolean {
    this.served[path] += 1;
    return this.served[path] % failureOneIn(this.mode, path) === 0;
  }
}
