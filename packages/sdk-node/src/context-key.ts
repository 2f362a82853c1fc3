import { type EvaluationContext, normalizeContext } from "@switchyard/core";

const EMPTY_CONTEXT: EvaluationContext = Object.freeze({});

/**
 * The context as the engine gets it: OpenFeature's `targetingKey` mapped to `key`; anything
 * that is not a plain object (untyped callers) is the empty context, as the engine treats it.
 */
export function toEvaluationContext(context: unknown): EvaluationContext {
  if (typeof context !== "object" || context === null || Array.isArray(context)) return EMPTY_CONTEXT;
  // Parsed boundary: a non-array object is a record of attributes, which is all the type says.
  return normalizeContext(context as EvaluationContext);
}

/** The identity metrics attribute events by: a string key, or a finite number in decimal. */
export function contextKeyOf(context: EvaluationContext): string | undefined {
  const key: unknown = context.key;
  if (typeof key === "string") return key;
  if (typeof key === "number" && Number.isFinite(key)) return String(key);
  return undefined;
}
