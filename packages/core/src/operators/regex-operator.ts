import { RE2JS } from "re2js";
import type { JsonPrimitive } from "../types";
import { stringValues, type ValueTest } from "./value-test";

/**
 * `matches` runs user-supplied patterns, so it uses RE2 (re2js): matching is linear in the
 * input, never backtracking, whatever the pattern. Semantics are a search (the pattern may
 * match anywhere; anchor with `^…$`), RE2 syntax, no flags (use `(?i)` for case-insensitive).
 * JavaScript's RegExp must never see a user pattern.
 */

export type PatternCompilation = { ok: true; pattern: RE2JS } | { ok: false; error: string };

/** Compiles a pattern with RE2; on failure, the parser's message (for validation errors). */
export function compilePattern(source: string): PatternCompilation {
  try {
    return { ok: true, pattern: RE2JS.compile(source) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** `matches`: any of the patterns is found in the string attribute. */
export function compileMatches(values: readonly JsonPrimitive[]): ValueTest | null {
  const sources = stringValues(values);
  if (sources === null) return null;
  const patterns: RE2JS[] = [];
  for (const source of sources) {
    const compiled = compilePattern(source);
    if (!compiled.ok) return null;
    patterns.push(compiled.pattern);
  }
  return (value) => {
    if (typeof value !== "string") return false;
    for (const pattern of patterns) if (pattern.test(value)) return true;
    return false;
  };
}
