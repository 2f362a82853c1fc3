import type { JsonPrimitive } from "../types";

/**
 * A compiled operator: tests one attribute value (never `null`/`undefined`, never an array —
 * the condition handles those) against the condition's values.
 */
export type ValueTest = (value: unknown) => boolean;

/**
 * Compiles an operator for a condition's values, once. Returns `null` when the values are
 * invalid for the operator (a non-string for `contains`, a pattern that does not compile, an
 * unparseable date or version): such a condition is broken and never matches.
 */
export type OperatorCompiler = (values: readonly JsonPrimitive[]) => ValueTest | null;

/** The values when every one is a string, else `null`. */
export function stringValues(values: readonly JsonPrimitive[]): string[] | null {
  const strings: string[] = [];
  for (const value of values) {
    if (typeof value !== "string") return null;
    strings.push(value);
  }
  return strings;
}

/** The values when every one is a finite number, else `null`. */
export function numberValues(values: readonly JsonPrimitive[]): number[] | null {
  const numbers: number[] = [];
  for (const value of values) {
    if (typeof value !== "number" || !Number.isFinite(value)) return null;
    numbers.push(value);
  }
  return numbers;
}

/** The values each parsed by `parse`, or `null` when any does not parse. */
export function parsedValues<T>(values: readonly JsonPrimitive[], parse: (value: JsonPrimitive) => T | undefined): T[] | null {
  const parsed: T[] = [];
  for (const value of values) {
    const result = parse(value);
    if (result === undefined) return null;
    parsed.push(result);
  }
  return parsed;
}

/** The largest of `numbers` (-Infinity when empty), without spreading into arguments. */
export function largest(numbers: readonly number[]): number {
  let bound = Number.NEGATIVE_INFINITY;
  for (const value of numbers) if (value > bound) bound = value;
  return bound;
}

/** The smallest of `numbers` (Infinity when empty). */
export function smallest(numbers: readonly number[]): number {
  let bound = Number.POSITIVE_INFINITY;
  for (const value of numbers) if (value < bound) bound = value;
  return bound;
}
