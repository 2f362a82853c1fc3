import {
  type ErrorCode,
  ErrorCodes,
  type EvaluationResult,
  type JsonObject,
  type JsonValue,
  type Reason,
  Reasons,
  type VariationValue,
} from "./types";

/*
 * Results are built once, at compile time, and frozen: the hot path returns the same object
 * for the same outcome and allocates nothing. Callers must treat results as read-only (spread
 * them to add fields). Optional fields are absent, never `undefined`.
 */

function freezeContainer(value: JsonValue[] | JsonObject): JsonValue[] | JsonObject {
  if (Array.isArray(value)) {
    const copy = value.map(freezeJson);
    Object.freeze(copy);
    return copy;
  }
  const copy: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty: a "__proto__" key must stay a plain property.
    Object.defineProperty(copy, key, { value: freezeJson(item), enumerable: true });
  }
  Object.freeze(copy);
  return copy;
}

function freezeJson(value: JsonValue): JsonValue {
  return typeof value === "object" && value !== null ? freezeContainer(value) : value;
}

/** A deep, frozen copy of a variation, so a caller mutating a result cannot corrupt others. */
export function freezeVariation(value: VariationValue): VariationValue {
  return typeof value === "object" ? freezeContainer(value) : value;
}

export function errorResult(errorCode: ErrorCode, errorMessage: string): EvaluationResult {
  return Object.freeze({ value: null, variation: null, reason: Reasons.ERROR, errorCode, errorMessage });
}

export interface ResultDetails {
  ruleId?: string | undefined;
  prerequisiteKey?: string | undefined;
}

/**
 * The frozen result serving `variations[index]`, or an ERROR/GENERAL result when the index
 * does not name a variation (validation should have prevented it; evaluation must not throw).
 */
export function variationResult(
  variations: readonly (VariationValue | null | undefined)[],
  index: number,
  reason: Reason,
  details: ResultDetails = {},
): EvaluationResult {
  const value = Number.isInteger(index) && index >= 0 ? variations[index] : undefined;
  if (value === undefined || value === null) {
    return errorResult(
      ErrorCodes.GENERAL,
      `variation index ${String(index)} is out of range: the flag has ${variations.length} variation(s)`,
    );
  }
  const result: EvaluationResult = { value, variation: index, reason };
  if (details.ruleId !== undefined) result.ruleId = details.ruleId;
  if (details.prerequisiteKey !== undefined) result.prerequisiteKey = details.prerequisiteKey;
  return Object.freeze(result);
}
