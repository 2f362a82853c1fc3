import type { JsonPrimitive } from "../types";
import { largest, numberValues, smallest, type ValueTest } from "./value-test";

/*
 * `lt`/`lte`/`gt`/`gte` compare a number attribute with the values; "any value" reduces to
 * the largest value for lt/lte and the smallest for gt/gte, computed once. Strings that look
 * like numbers are not numbers: they never match.
 */

function isNumber(value: unknown): value is number {
  return typeof value === "number" && !Number.isNaN(value);
}

export function compileLt(values: readonly JsonPrimitive[]): ValueTest | null {
  const numbers = numberValues(values);
  if (numbers === null) return null;
  const bound = largest(numbers);
  return (value) => isNumber(value) && value < bound;
}

export function compileLte(values: readonly JsonPrimitive[]): ValueTest | null {
  const numbers = numberValues(values);
  if (numbers === null) return null;
  const bound = largest(numbers);
  return (value) => isNumber(value) && value <= bound;
}

export function compileGt(values: readonly JsonPrimitive[]): ValueTest | null {
  const numbers = numberValues(values);
  if (numbers === null) return null;
  const bound = smallest(numbers);
  return (value) => isNumber(value) && value > bound;
}

export function compileGte(values: readonly JsonPrimitive[]): ValueTest | null {
  const numbers = numberValues(values);
  if (numbers === null) return null;
  const bound = smallest(numbers);
  return (value) => isNumber(value) && value >= bound;
}
