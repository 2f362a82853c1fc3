import type { Engine, ErrorCode, EvaluationContext, EvaluationResult, FlagMetadata, Reason, VariationValue } from "@switchyard/core";

export interface ClientFlagValue {
  value: VariationValue | null;
  variation: number | null;
  /** The variation's name; absent on errors. */
  variant?: string;
  reason: Reason;
  errorCode?: ErrorCode;
  /** The flag's metadata, when it has some (descriptive, so a browser may see it). */
  metadata?: FlagMetadata;
}

/** Values only: a browser never sees rules, rule ids, segment members or other environments. */
export function clientValue(result: EvaluationResult): ClientFlagValue {
  return {
    value: result.value,
    variation: result.variation,
    ...(result.variant === undefined ? {} : { variant: result.variant }),
    reason: result.reason,
    ...(result.errorCode === undefined ? {} : { errorCode: result.errorCode }),
    ...(result.flagMetadata === undefined ? {} : { metadata: result.flagMetadata }),
  };
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

/** The JSON text of one flag's client value, for one context. */
export function evaluatedFragment(engine: Engine, flagKey: string, context: EvaluationContext): string {
  return fragment(engine.evaluate(flagKey, context));
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
