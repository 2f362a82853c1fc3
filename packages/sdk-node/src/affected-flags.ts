import type { FlagDefinition } from "@switchyard/core";

/**
 * The flags whose result may change after an update: the flags that changed themselves, those
 * whose rules use a changed segment, and — transitively — those with a changed flag as a
 * prerequisite. `flags` is the state after the update; shapes are read defensively because
 * only the payloads' outline was checked.
 */
export function affectedFlags(
  flags: ReadonlyMap<string, FlagDefinition>,
  changedFlags: Iterable<string>,
  changedSegments: ReadonlySet<string>,
): string[] {
  const affected = new Set(changedFlags);
  if (changedSegments.size > 0) {
    for (const [key, flag] of flags) {
      const usesChangedSegment = flag.rules.some(
        (rule) => Array.isArray(rule.segments) && rule.segments.some((segment) => changedSegments.has(segment)),
      );
      if (usesChangedSegment) affected.add(key);
    }
  }
  let grew = affected.size > 0;
  while (grew) {
    grew = false;
    for (const [key, flag] of flags) {
      if (affected.has(key) || !Array.isArray(flag.prerequisites)) continue;
      if (flag.prerequisites.some((prerequisite) => affected.has(prerequisite.flag))) {
        affected.add(key);
        grew = true;
      }
    }
  }
  return [...affected].sort();
}
