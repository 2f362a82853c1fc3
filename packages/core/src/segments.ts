import { type ConditionMatcher, allConditionsHold, compileCondition } from "./operators/condition";
import { readIdentity } from "./attribute-path";
import { type ContextRecord, identityOf } from "./context-attribute";
import type { Segment } from "./types";

/**
 * Segment membership (as LaunchDarkly users know it): a context whose `key` is `included` is
 * in; otherwise one whose key is `excluded` is out, before any rule is looked at; otherwise it
 * is in when all conditions of any rule hold. Validation rejects a key in both lists.
 */
export interface CompiledSegment {
  readonly key: string;
  readonly included: ReadonlySet<string>;
  readonly excluded: ReadonlySet<string>;
  readonly rules: readonly (readonly ConditionMatcher[])[];
}

const NO_KEYS: ReadonlySet<string> = new Set();

function keySet(keys: unknown): ReadonlySet<string> {
  if (!Array.isArray(keys) || keys.length === 0) return NO_KEYS;
  return new Set(keys.filter((key): key is string => typeof key === "string"));
}

export function compileSegment(segment: Segment): CompiledSegment {
  const rules = Array.isArray(segment.rules) ? segment.rules : [];
  return Object.freeze({
    key: segment.key,
    included: keySet(segment.included),
    excluded: keySet(segment.excluded),
    rules: rules.map((rule) => (Array.isArray(rule.conditions) ? rule.conditions : []).map(compileCondition)),
  });
}

/** A segment that matches nobody, for a segment whose definition could not be compiled. */
export function emptySegment(key: string): CompiledSegment {
  return Object.freeze({ key, included: NO_KEYS, excluded: NO_KEYS, rules: [] });
}

export function isInSegment(segment: CompiledSegment, context: ContextRecord): boolean {
  const key = identityOf(readIdentity(context));
  if (key !== undefined) {
    if (segment.included.has(key)) return true;
    if (segment.excluded.has(key)) return false;
  }
  for (const conditions of segment.rules) {
    if (allConditionsHold(conditions, context)) return true;
  }
  return false;
}
