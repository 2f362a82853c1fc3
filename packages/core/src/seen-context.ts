import { attributePathKeys, compileAttributeReader, readIdentity } from "./attribute-path";
import { readOwnAttribute, toContextRecord } from "./context-attribute";
import type { Condition, EvaluationContext, JsonPrimitive, Serve, Snapshot } from "./types";

/**
 * What a seen-context sample may keep of a context: its `key` and the attributes the
 * environment's targeting reads — rule conditions, the conditions of the segments those rules
 * name, and every rollout's `bucketBy` — as the attribute paths they are written as. Anything else (an email the rules never look at) is
 * never stored, so a sample can answer "whom would this change flip" and nothing more.
 */
export function attributesUsed(snapshot: Snapshot): string[] {
  const used = new Set<string>(["key"]);
  const segmentKeys = new Set<string>();
  const addConditions = (conditions: readonly Condition[] | undefined) => {
    for (const condition of conditions ?? []) used.add(condition.attribute);
  };
  const addServe = (serve: Serve | undefined) => {
    if (serve !== undefined && "rollout" in serve) used.add(serve.rollout.bucketBy ?? "key");
  };
  for (const flag of snapshot.flags) {
    for (const rule of flag.rules ?? []) {
      addConditions(rule.conditions);
      for (const key of rule.segments ?? []) segmentKeys.add(key);
      addServe(rule.serve);
    }
    addServe(flag.fallthrough);
  }
  for (const segment of snapshot.segments) {
    if (!segmentKeys.has(segment.key)) continue;
    for (const rule of segment.rules ?? []) addConditions(rule.conditions);
  }
  return [...used].sort();
}

/** A sampled value: JSON primitives, arrays of them, and objects on the way to a nested attribute. */
export type SampledValue = JsonPrimitive | JsonPrimitive[] | { [key: string]: SampledValue };

/** A context as a sample keeps it: `key`, and the attributes (or nested attributes) rules read. */
export type SampledContext = { key: string; [attribute: string]: SampledValue };

function sampleValue(value: unknown): JsonPrimitive | JsonPrimitive[] | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value) && value.every((item) => item === null || ["string", "number", "boolean"].includes(typeof item))) {
    // Checked element by element just above.
    return value as JsonPrimitive[];
  }
  return undefined;
}

function define(target: Record<string, SampledValue>, name: string, value: SampledValue): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Sets `value` at `keys` inside `sampled`, creating the objects on the way; a conflict keeps what is there. */
function setNested(sampled: Record<string, SampledValue>, keys: readonly string[], value: SampledValue): void {
  let target = sampled;
  for (let index = 0; index < keys.length - 1; index++) {
    const key = keys[index] ?? "";
    let next = Object.hasOwn(target, key) ? target[key] : undefined;
    if (next === undefined) {
      next = {};
      define(target, key, next);
    }
    if (typeof next !== "object" || next === null || Array.isArray(next)) return;
    target = next;
  }
  define(target, keys[keys.length - 1] ?? "", value);
}

/** True when `keys` starts with every key of `prefix`. */
function startsWith(keys: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= keys.length && prefix.every((key, index) => keys[index] === key);
}

/**
 * The part of `context` a sample keeps: its identity as `key` (a string; a context without
 * one is not sampled, `undefined`) and the values the attribute paths in `attributes` read
 * (nested ones inside objects of the same shape), minus `withheld` (an SDK's private
 * attributes: a withheld path hides every path under it, so `user` hides `user.email`).
 * Objects are never kept whole, only the values a path ends on.
 */
export function sampleContext(
  context: EvaluationContext,
  attributes: Iterable<string>,
  withheld: ReadonlySet<string> = new Set(),
): SampledContext | undefined {
  const record = toContextRecord(context);
  const key = readIdentity(record);
  if (typeof key !== "string" || key === "") return undefined;
  const sampled: SampledContext = { key };
  const hidden = [...withheld].map((path) => attributePathKeys(path) ?? [path]);
  for (const attribute of attributes) {
    if (attribute === "key" || attribute === "targetingKey" || withheld.has(attribute)) continue;
    const keys = attributePathKeys(attribute) ?? [attribute];
    if (hidden.some((prefix) => startsWith(keys, prefix))) continue;
    const literal = readOwnAttribute(record, attribute);
    if (literal !== undefined) {
      const value = sampleValue(literal);
      if (value !== undefined) define(sampled, attribute, value);
      continue;
    }
    const value = sampleValue(compileAttributeReader(attribute)(record));
    if (value !== undefined) setNested(sampled, keys, value);
  }
  return sampled;
}
