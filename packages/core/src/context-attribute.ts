/**
 * Contexts as the evaluator sees them, and how a property is read from one (attribute-path.ts
 * builds attribute readers from these). Only own properties count: `constructor` or `toString`
 * must not resolve to `Object.prototype` members, so such names are read with `hasOwn`.
 */

/** A context after the evaluator's boundary check: always a non-array object. */
export type ContextRecord = Readonly<Record<string, unknown>>;

const EMPTY_CONTEXT: ContextRecord = Object.freeze({});

/** Anything that is not a plain (non-array) object evaluates as the empty context. */
export function toContextRecord(context: unknown): ContextRecord {
  if (typeof context !== "object" || context === null || Array.isArray(context)) {
    return EMPTY_CONTEXT;
  }
  // Parsed boundary: any non-array object can be read as a record of unknown values.
  return context as ContextRecord;
}

/** True when reading `name` with `context[name]` could reach an inherited member. */
export function isInheritedName(name: string): boolean {
  return name in Object.prototype;
}

/** Reads an own property (of a context or an object inside one). */
export function readOwnAttribute(context: ContextRecord, name: string): unknown {
  return Object.hasOwn(context, name) ? context[name] : undefined;
}

/**
 * The string a context attribute identifies itself by, for bucketing and segment lists:
 * strings as is, safe integers in decimal; anything else (missing, fractions, booleans,
 * objects) has no identity and yields `undefined`.
 */
export function identityOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
