import {
  type ErrorCode,
  ErrorCodes,
  type FlagMetadata,
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

/** A flag's variation values and, when the definition carries them, their names and the flag's metadata. */
export interface FlagVariations {
  readonly values: readonly (VariationValue | null | undefined)[];
  readonly names: readonly unknown[];
  /** Frozen; only when the flag has some. */
  readonly metadata?: FlagMetadata | undefined;
}

/**
 * The frozen result serving `variations[index]`, or an ERROR/GENERAL result when the index
 * does not name a variation (validation should have prevented it; evaluation must not throw).
 * `variant` is the variation's name, or its index as a string when the flag has no names.
 */
export function variationResult(
  flagVariations: FlagVariations,
  index: number,
  reason: Reason,
  details: ResultDetails = {},
): EvaluationResult {
  const variations = flagVariations.values;
  const value = Number.isInteger(index) && index >= 0 ? variations[index] : undefined;
  if (value === undefined || value === null) {
    return errorResult(
      ErrorCodes.GENERAL,
      `variation index ${String(index)} is out of range: the flag has ${variations.length} variation(s)`,
    );
  }
  const name = flagVariations.names[index];
  const variant = typeof name === "string" ? name : String(index);
  const result: EvaluationResult = { value, variation: index, variant, reason };
  if (details.ruleId !== undefined) result.ruleId = details.ruleId;
  if (details.prerequisiteKey !== undefined) result.prerequisiteKey = details.prerequisiteKey;
  if (flagVariations.metadata !== undefined) result.flagMetadata = flagVariations.metadata;
  return Object.freeze(result);
}

/** A frozen copy of a flag's metadata (string, number and boolean entries), or undefined when it has none. */
export function freezeMetadata(metadata: unknown): FlagMetadata | undefined {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) return undefined;
  const copy: FlagMetadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      Object.defineProperty(copy, key, { value, enumerable: true });
    }
  }
  return Object.keys(copy).length === 0 ? undefined : Object.freeze(copy);
}
