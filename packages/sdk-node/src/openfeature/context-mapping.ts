import type { EvaluationContext as OpenFeatureContext, EvaluationContextValue } from "@openfeature/server-sdk";
import { type EvaluationContext, normalizeContext } from "@switchyard/core";

function toPlainValue(value: EvaluationContextValue): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toPlainValue);
  if (typeof value === "object" && value !== null) return toPlainObject(value);
  return value;
}

function toPlainObject(object: { [key: string]: EvaluationContextValue }): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(object)) {
    // defineProperty: a "__proto__" key stays data instead of becoming the prototype.
    Object.defineProperty(result, name, { value: toPlainValue(value), enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/**
 * OpenFeature's context as Switchyard's: `targetingKey` is kept and also given as `key` (an
 * explicit `key` wins, as everywhere: both name the same identity, so a rule on either
 * matches), and dates at any depth become ISO strings, the form date operators read.
 */
export function toSwitchyardContext(context: OpenFeatureContext): EvaluationContext {
  return normalizeContext(toPlainObject(context));
}
