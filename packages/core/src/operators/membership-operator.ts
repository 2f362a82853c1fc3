import type { JsonPrimitive } from "../types";
import type { ValueTest } from "./value-test";

/** Above this many values, `in` looks values up in a Set instead of scanning them. */
const SET_THRESHOLD = 6;

/** `in`: strict equality (`===`) with any of the values, whatever their types. */
export function compileIn(values: readonly JsonPrimitive[]): ValueTest {
  const candidates: unknown[] = values.filter((value) => value !== null && !Number.isNaN(value));
  const [only] = candidates;
  if (candidates.length === 0) return () => false;
  if (candidates.length === 1) return (value) => value === only;
  if (candidates.length <= SET_THRESHOLD) return (value) => candidates.includes(value);
  // Set.has is SameValueZero, which differs from === only for NaN, excluded above.
  const set = new Set<unknown>(candidates);
  return (value) => set.has(value);
}
