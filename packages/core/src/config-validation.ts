import type { Prerequisite } from "./types";

/**
 * Semantic checks of a flag config against its environment — what a schema cannot know:
 * indexes against the flag's variations, references to segments and flags, prerequisite
 * cycles. Pure (the caller answers the lookups) and free of zod, so SDKs may use it too.
 */

/** A config as parsed at the edge (rule ids may still be missing) or as stored. */
export interface FlagConfigToValidate {
  offVariation?: number | undefined;
  rules: ReadonlyArray<{
    id?: string | undefined;
    segments?: readonly string[] | undefined;
    serve: ServeToValidate;
  }>;
  fallthrough: ServeToValidate;
  prerequisites?: readonly Prerequisite[] | undefined;
}

export type ServeToValidate =
  | { variation: number; rollout?: undefined }
  | { variation?: undefined; rollout: { weights: readonly number[]; variations?: readonly number[] | undefined } };

export interface FlagConfigReferences {
  /** The key of the flag being configured. */
  flagKey: string;
  /** How many variations the flag has. */
  variationCount: number;
  segmentExists(key: string): boolean;
  flagExists(key: string): boolean;
  /** Another flag's variation count, to check a prerequisite's variation index. */
  variationCountOf?(flagKey: string): number | undefined;
  /**
   * The cycle these prerequisites would close, or null. Typically
   * `(keys) => findPrerequisiteCycle(flagKey, new Map(current).set(flagKey, keys))`.
   */
  prerequisiteCycle?(prerequisiteKeys: string[]): string[] | null;
}

export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

function rangeMessage(what: string, index: number, count: number): string {
  const range = count === 1 ? "only 0" : `0–${count - 1}`;
  return `${what} ${index} does not exist: the flag has ${count} variation(s) (${range})`;
}

function checkServe(serve: ServeToValidate, path: (string | number)[], variationCount: number, issues: ValidationIssue[]): void {
  if (serve.variation !== undefined) {
    if (serve.variation >= variationCount) {
      issues.push({ path: [...path, "variation"], message: rangeMessage("variation", serve.variation, variationCount) });
    }
    return;
  }
  const weights = serve.rollout.weights;
  const order = serve.rollout.variations;
  if (order !== undefined) {
    if (order.length !== weights.length) {
      issues.push({
        path: [...path, "rollout", "weights"],
        message: `expected ${order.length} weights (one per listed variation), got ${weights.length}`,
      });
    }
    const seen = new Set<number>();
    order.forEach((variation, position) => {
      if (variation >= variationCount) {
        issues.push({ path: [...path, "rollout", "variations", position], message: rangeMessage("variation", variation, variationCount) });
      } else if (seen.has(variation)) {
        issues.push({ path: [...path, "rollout", "variations", position], message: `variation ${variation} is listed twice` });
      }
      seen.add(variation);
    });
    return;
  }
  if (weights.length !== variationCount) {
    issues.push({
      path: [...path, "rollout", "weights"],
      message: `expected ${variationCount} weights (one per variation), got ${weights.length}`,
    });
  }
}

function checkPrerequisites(prerequisites: readonly Prerequisite[], refs: FlagConfigReferences, issues: ValidationIssue[]): void {
  const seen = new Set<string>();
  prerequisites.forEach((prerequisite, index) => {
    const key = prerequisite.flag;
    if (key === refs.flagKey) {
      issues.push({ path: ["prerequisites", index, "flag"], message: "a flag cannot be its own prerequisite" });
    } else if (!refs.flagExists(key)) {
      issues.push({ path: ["prerequisites", index, "flag"], message: `unknown flag "${key}"` });
    } else {
      const count = refs.variationCountOf?.(key);
      if (count !== undefined && prerequisite.variation >= count) {
        issues.push({
          path: ["prerequisites", index, "variation"],
          message: `variation ${prerequisite.variation} does not exist: flag "${key}" has ${count} variation(s)`,
        });
      }
    }
    if (seen.has(key)) {
      issues.push({ path: ["prerequisites", index, "flag"], message: `duplicate prerequisite "${key}"` });
    }
    seen.add(key);
  });
  if (refs.prerequisiteCycle !== undefined && prerequisites.length > 0 && issues.length === 0) {
    const cycle = refs.prerequisiteCycle(prerequisites.map((prerequisite) => prerequisite.flag));
    if (cycle !== null) {
      issues.push({ path: ["prerequisites"], message: `prerequisite cycle: ${cycle.join(" -> ")}` });
    }
  }
}

/** Every semantic problem of `config`, each with the path of the offending field. */
export function validateFlagConfig(config: FlagConfigToValidate, refs: FlagConfigReferences): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const count = refs.variationCount;
  if (config.offVariation !== undefined && config.offVariation >= count) {
    issues.push({ path: ["offVariation"], message: rangeMessage("offVariation", config.offVariation, count) });
  }
  const ruleIds = new Map<string, number>();
  config.rules.forEach((rule, index) => {
    if (rule.id !== undefined) {
      const first = ruleIds.get(rule.id);
      if (first !== undefined) {
        issues.push({ path: ["rules", index, "id"], message: `duplicate rule id "${rule.id}" (also rules[${first}])` });
      } else {
        ruleIds.set(rule.id, index);
      }
    }
    (rule.segments ?? []).forEach((segmentKey, segmentIndex) => {
      if (!refs.segmentExists(segmentKey)) {
        issues.push({ path: ["rules", index, "segments", segmentIndex], message: `unknown segment "${segmentKey}"` });
      }
    });
    checkServe(rule.serve, ["rules", index, "serve"], count, issues);
  });
  checkServe(config.fallthrough, ["fallthrough"], count, issues);
  const prerequisiteIssues: ValidationIssue[] = [];
  checkPrerequisites(config.prerequisites ?? [], refs, prerequisiteIssues);
  issues.push(...prerequisiteIssues);
  return issues;
}
