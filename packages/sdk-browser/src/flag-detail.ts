import type { ErrorCode } from "@switchyard/core";
import type { EvaluatedFlags, EvaluationDetails, FlagFallback } from "./client-types";

function errorDetail<T>(fallback: T, errorCode: ErrorCode): EvaluationDetails<T> {
  return { value: fallback, variation: null, reason: "ERROR", errorCode };
}

/** Same JSON type as the fallback (arrays and objects told apart); a null fallback takes any value. */
function hasTypeOf<T extends FlagFallback>(value: unknown, fallback: T): value is T {
  return fallback === null || (typeof value === typeof fallback && value !== null && Array.isArray(value) === Array.isArray(fallback));
}

/**
 * The detail of `key` for `fallback`. Never throws: a missing flag, a value of another type than
 * the fallback, or a server-side error all serve the fallback with reason `ERROR`.
 */
export function flagDetail<T extends FlagFallback>(flags: EvaluatedFlags, key: string, fallback: T): EvaluationDetails<T> {
  try {
    const flag = Object.hasOwn(flags, key) ? flags[key] : undefined;
    if (typeof flag !== "object" || flag === null) return errorDetail(fallback, "FLAG_NOT_FOUND");
    const { value, variation, variant, reason, metadata } = flag;
    if (value === null || value === undefined) return errorDetail(fallback, flag.errorCode ?? "GENERAL");
    if (!hasTypeOf(value, fallback)) return errorDetail(fallback, "TYPE_MISMATCH");
    const detail: EvaluationDetails<T> = { value, variation, reason };
    if (typeof variant === "string") detail.variant = variant;
    if (typeof metadata === "object" && metadata !== null) detail.flagMetadata = metadata;
    return detail;
  } catch {
    // A key whose toString throws, a poisoned cache entry: the caller still gets its fallback.
    return errorDetail(fallback, "GENERAL");
  }
}
