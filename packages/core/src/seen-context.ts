import type { Condition, EvaluationContext, JsonPrimitive, Serve, Snapshot } from "./types";

/**
 * What a seen-context sample may keep of a context: its `key` and the attributes the
 * environment's targeting reads — rule conditions, the conditions of the segments those rules
 * name, and every rollout's `bucketBy`. Anything else (an email the rules never look at) is
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

/** A context as a sample keeps it: attributes are JSON primitives or arrays of them. */
export type SampledContext = { key: string; [attribute: string]: JsonPrimitive | JsonPrimitive[] };

function sampleValue(value: unknown): JsonPrimitive | JsonPrimitive[] | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value) && value.every((item) => item === null || ["string", "number", "boolean"].includes(typeof item))) {
    // Checked element by element just above.
    return value as JsonPrimitive[];
  }
  return undefined;
}

/**
 * The part of `context` a sample keeps: `key` (a string; a context without one is not sampled,
 * `undefined`) and the `attributes` it has, minus `withheld` (an SDK's private attributes).
 * Values that are objects are dropped: no operator reads into them.
 */
export function sampleContext(
  context: EvaluationContext,
  attributes: Iterable<string>,
  withheld: ReadonlySet<string> = new Set(),
): SampledContext | undefined {
  const key = context.key;
  if (typeof key !== "string" || key === "") return undefined;
  const sampled: SampledContext = { key };
  for (const attribute of attributes) {
    if (attribute === "key" || withheld.has(attribute) || !Object.hasOwn(context, attribute)) continue;
    const value = sampleValue(context[attribute]);
    if (value !== undefined) Object.defineProperty(sampled, attribute, { value, enumerable: true, writable: true, configurable: true });
  }
  return sampled;
}
