import type { Engine, ErrorCode, EvaluationContext, EvaluationResult, Reason, VariationValue } from "@switchyard/core";

export interface ClientFlagValue {
  value: VariationValue | null;
  variation: number | null;
  reason: Reason;
  errorCode?: ErrorCode;
}

/** Values only: a browser never sees rules, rule ids, segment members or other environments. */
export function clientValue(result: EvaluationResult): ClientFlagValue {
  return result.errorCode === undefined
    ? { value: result.value, variation: result.variation, reason: result.reason }
    : { value: result.value, variation: result.variation, reason: result.reason, errorCode: result.errorCode };
}

export function evaluateForClient(engine: Engine, context: EvaluationContext): Record<string, ClientFlagValue> {
  const out: Record<string, ClientFlagValue> = {};
  for (const [key, result] of Object.entries(engine.evaluateAll(context))) out[key] = clientValue(result);
  return out;
}

// The engine hands out one shared, frozen result object per static outcome (flag × variation ×
// reason), so each outcome is serialized once and reused for every request that gets it.
const fragments = new WeakMap<EvaluationResult, string>();

function fragment(result: EvaluationResult): string {
  let text = fragments.get(result);
  if (text === undefined) {
    text = JSON.stringify(clientValue(result));
    if (Object.isFrozen(result)) fragments.set(result, text);
  }
  return text;
}

/** Flag key → the JSON text of its client value, for one context. */
export function evaluatedFragments(engine: Engine, context: EvaluationContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, result] of Object.entries(engine.evaluateAll(context))) out.set(key, fragment(result));
  return out;
}

/** `{"flags":{…}}` for one context, as JSON text; the same content as `evaluateForClient`. */
export function evaluateForClientJson(engine: Engine, context: EvaluationContext): string {
  let body = '{"flags":{';
  let first = true;
  for (const [key, result] of Object.entries(engine.evaluateAll(context))) {
    body += `${first ? "" : ","}${JSON.stringify(key)}:${fragment(result)}`;
    first = false;
  }
  return `${body}}}`;
}
