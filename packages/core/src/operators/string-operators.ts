import type { JsonPrimitive } from "../types";
import { stringValues, type ValueTest } from "./value-test";

function compileStringTest(values: readonly JsonPrimitive[], test: (attribute: string, value: string) => boolean): ValueTest | null {
  const strings = stringValues(values);
  if (strings === null) return null;
  return (value) => {
    if (typeof value !== "string") return false;
    for (const candidate of strings) if (test(value, candidate)) return true;
    return false;
  };
}

/** `contains`: the string attribute contains any of the values (case-sensitive). */
export function compileContains(values: readonly JsonPrimitive[]): ValueTest | null {
  return compileStringTest(values, (attribute, value) => attribute.includes(value));
}

/** `startsWith`: the string attribute starts with any of the values (case-sensitive). */
export function compileStartsWith(values: readonly JsonPrimitive[]): ValueTest | null {
  return compileStringTest(values, (attribute, value) => attribute.startsWith(value));
}

/** `endsWith`: the string attribute ends with any of the values (case-sensitive). */
export function compileEndsWith(values: readonly JsonPrimitive[]): ValueTest | null {
  return compileStringTest(values, (attribute, value) => attribute.endsWith(value));
}
