import { parseDateValue } from "../date-value";
import type { JsonPrimitive } from "../types";
import { largest, parsedValues, smallest, type ValueTest } from "./value-test";

/*
 * `before`/`after`: both the attribute and the values are dates — epoch milliseconds or
 * ISO-8601 strings (see date-value.ts). `before` holds when the attribute is earlier than any
 * value (i.e. the latest one), `after` when it is later than any value (the earliest one).
 */

export function compileBefore(values: readonly JsonPrimitive[]): ValueTest | null {
  const dates = parsedValues(values, parseDateValue);
  if (dates === null) return null;
  const bound = largest(dates);
  return (value) => {
    const date = parseDateValue(value);
    return date !== undefined && date < bound;
  };
}

export function compileAfter(values: readonly JsonPrimitive[]): ValueTest | null {
  const dates = parsedValues(values, parseDateValue);
  if (dates === null) return null;
  const bound = smallest(dates);
  return (value) => {
    const date = parseDateValue(value);
    return date !== undefined && date > bound;
  };
}
