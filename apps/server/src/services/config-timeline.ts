import type { FlagConfig } from "@switchyard/core";

/** One kept version of a flag's config in one environment (`flag_config_versions`). */
export interface ConfigVersion {
  flag: string;
  environment: string;
  version: number;
  config: FlagConfig;
  createdAt: Date;
}

/**
 * Replays one flag's config history, every environment together, in the order it was written,
 * and answers since when the current state has had the same `signature` without a break.
 * `signature` sees every environment's config as it was after each version; null means "the
 * condition does not hold". Returns null when it does not hold now.
 *
 * This is how "for N days" is measured from the history instead of guessed from the last edit:
 * an edit that keeps the signature (a rule added that serves the same variation, a description of
 * a rule changed) does not restart the clock; one that breaks it does.
 */
export function heldSince(
  history: readonly ConfigVersion[],
  signature: (configs: ReadonlyMap<string, FlagConfig>) => string | null,
): { signature: string; since: Date } | null {
  const ordered = [...history].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.version - b.version);
  const state = new Map<string, FlagConfig>();
  let current: { signature: string; since: Date } | null = null;
  for (const version of ordered) {
    state.set(version.environment, version.config);
    const now = signature(state);
    if (now === null) current = null;
    else if (current === null || current.signature !== now) current = { signature: now, since: version.createdAt };
  }
  return current;
}
