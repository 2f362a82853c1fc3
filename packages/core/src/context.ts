import type { EvaluationContext } from "./types";

/**
 * Maps OpenFeature's `targetingKey` to Switchyard's `key`. An explicit `key` wins; a
 * `targetingKey` that is not a string is ignored. The input is not modified.
 */
export function normalizeContext(context: EvaluationContext): EvaluationContext {
  const targetingKey = context.targetingKey;
  if (context.key !== undefined || typeof targetingKey !== "string") return context;
  return { ...context, key: targetingKey };
}
