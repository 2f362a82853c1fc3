import type { EvaluatedFlags } from "./client-types";

/** Keys whose value, variation or reason differs between two sets of values (added and removed included). */
export function changedKeys(before: EvaluatedFlags, after: EvaluatedFlags): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter(
    (key) =>
      JSON.stringify(Object.hasOwn(before, key) ? before[key] : null) !== JSON.stringify(Object.hasOwn(after, key) ? after[key] : null),
  );
}
