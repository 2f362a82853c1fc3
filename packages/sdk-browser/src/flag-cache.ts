import type { StorageLike } from "./browser-types";
import type { EvaluatedFlags } from "./client-types";
import { flagsOf } from "./flags-payload";

/**
 * One cache entry per token and context, so a reload renders the last values of that context at
 * once, and switching back to a context (anonymous, then signed in) finds its own values. The key
 * is a 32-bit FNV-1a hash: short keys, and a collision only shows stale values until the fetch.
 */
export function cacheKey(prefix: string, token: string, context: unknown): string {
  let hash = 0x811c9dc5;
  for (const char of token + JSON.stringify(context)) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return `${prefix}:${(hash >>> 0).toString(36)}`;
}

// Storage throws when it is full, disabled or forbidden (private modes, sandboxed frames): the
// cache is an optimisation, so every failure reads as "nothing cached".
export function readCache(storage: StorageLike | null | undefined, key: string): EvaluatedFlags | undefined {
  try {
    return flagsOf(JSON.parse(storage?.getItem(key) ?? "null"));
  } catch {
    return undefined;
  }
}

export function writeCache(storage: StorageLike | null | undefined, key: string, flags: EvaluatedFlags): void {
  try {
    storage?.setItem(key, JSON.stringify({ flags }));
  } catch {
    // see readCache
  }
}
