import { ErrorCodes, type EvaluationResult, type FlagMetadata, type Reason, Reasons } from "@switchyard/core";

/**
 * The core's error codes plus OpenFeature's PROVIDER_NOT_READY: the SDK answers before any data
 * arrived (no bootstrap, no backup yet), which is not "flag not found".
 */
export const SdkErrorCodes = { ...ErrorCodes, PROVIDER_NOT_READY: "PROVIDER_NOT_READY" } as const;
export type SdkErrorCode = (typeof SdkErrorCodes)[keyof typeof SdkErrorCodes];

/** What `variationDetail` returns, in OpenFeature's vocabulary. */
export interface EvaluationDetail<T> {
  /** The flag's value, or the caller's fallback when `reason` is `ERROR`. */
  value: T;
  /** Index of the served variation; `null` when the fallback was returned. */
  variation: number | null;
  /** The served variation's name (its index as a string for a flag without names); absent on ERROR. */
  variant?: string;
  reason: Reason;
  ruleId?: string;
  /** Set when the flag served its off variation because this prerequisite was not met. */
  prerequisiteKey?: string;
  /** The flag's metadata, when it has some. */
  flagMetadata?: FlagMetadata;
  errorCode?: SdkErrorCode;
  errorMessage?: string;
}

const ValueKinds = { BOOLEAN: "boolean", STRING: "string", NUMBER: "number", OBJECT: "object" } as const;
type ValueKind = (typeof ValueKinds)[keyof typeof ValueKinds];

/** Arrays and objects are one kind, as in OpenFeature's object evaluation. */
export function kindOf(value: unknown): ValueKind | undefined {
  if (typeof value === "boolean") return ValueKinds.BOOLEAN;
  if (typeof value === "string") return ValueKinds.STRING;
  if (typeof value === "number") return ValueKinds.NUMBER;
  if (typeof value === "object" && value !== null) return ValueKinds.OBJECT;
  return undefined;
}

export function errorDetail<T>(fallback: T, errorCode: SdkErrorCode, errorMessage: string): EvaluationDetail<T> {
  return { value: fallback, variation: null, reason: Reasons.ERROR, errorCode, errorMessage };
}

/** True when `detailFor(key, result, false)` is the result itself: a boolean variation was served. */
export function isBoolean(result: EvaluationResult): boolean {
  return result.reason !== Reasons.ERROR && result.variation !== null && typeof result.value === "boolean";
}

/**
 * The caller's view of an engine result (a successful one is returned as is: read-only): the fallback on ERROR, or when the value's kind
 * differs from the fallback's (a fallback without a kind, such as `undefined` from untyped
 * code, accepts any value).
 */
export function detailFor(flagKey: string, result: EvaluationResult, fallback: unknown): EvaluationDetail<unknown> {
  if (result.reason === Reasons.ERROR || result.value === null || result.variation === null) {
    return errorDetail(
      fallback,
      result.errorCode ?? SdkErrorCodes.GENERAL,
      result.errorMessage ?? `flag "${flagKey}" could not be evaluated`,
    );
  }
  const expected = kindOf(fallback);
  const actual = kindOf(result.value);
  if (expected !== undefined && actual !== expected) {
    return errorDetail(
      fallback,
      SdkErrorCodes.TYPE_MISMATCH,
      `flag "${flagKey}" serves a ${actual ?? "value"} but the fallback is a ${expected}`,
    );
  }
  // The engine's result already has the detail's shape (and is frozen and shared per outcome):
  // handing it out as is keeps isEnabled/variation free of allocations.
  return result;
}
