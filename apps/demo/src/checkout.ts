import type { CheckoutStats } from "./checkout-stats";
import { CheckoutPaths, type CheckoutPath, type FailureModel } from "./failure-model";

/** The part of the Node SDK a checkout uses (a `SwitchyardClient` fits). */
export interface FlagClient {
  isEnabled(key: string, context?: Record<string, unknown>): boolean;
  track(event: string, context?: Record<string, unknown>): void;
}

export interface CheckoutResult {
  user: string;
  path: CheckoutPath;
  ok: boolean;
}

export interface CheckoutOptions {
  flags: FlagClient;
  flag: string;
  model: FailureModel;
  stats: CheckoutStats;
  /** Report `request` and `error` with `track()`; off, only `/metrics` sees them. */
  track: boolean;
  now?: () => number;
}

/**
 * One checkout, as a real service would write it: the flag picks the code path, and every
 * request and every failure is reported with `track()`. The SDK attributes those events to the
 * variation the user got, which is what lets a deploy guard compare the new path with the old.
 */
export function createCheckout(options: CheckoutOptions): (user: string) => CheckoutResult {
  const now = options.now ?? Date.now;
  return (user) => {
    const context = { key: user };
    const path = options.flags.isEnabled(options.flag, context) ? CheckoutPaths.new : CheckoutPaths.old;
    const failed = options.model.fails(path);
    if (options.track) {
      options.flags.track("request", context);
      if (failed) options.flags.track("error", context);
    }
    options.stats.record(path, failed, now());
    return { user, path, ok: !failed };
  };
}
