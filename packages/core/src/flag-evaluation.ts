import type { CompiledFlag, CompiledPrerequisite, CompiledRule, CompiledServe } from "./compiled-flag";
import type { ContextRecord } from "./context-attribute";
import { errorResult } from "./evaluation-results";
import { allConditionsHold } from "./operators/condition";
import { serveRollout } from "./percentage-rollout";
import { type CompiledSegment, isInSegment } from "./segments";
import { ErrorCodes, type EvaluationResult, Reasons } from "./types";

/** Prerequisite chains deeper than this are an error (they are almost surely a mistake). */
export const MAX_PREREQUISITE_DEPTH = 20;

/** What one evaluation can see: every flag and segment of the snapshot. */
export interface EvaluationScope {
  readonly flags: ReadonlyMap<string, CompiledFlag>;
  readonly segments: ReadonlyMap<string, CompiledSegment>;
  /** Keys of the flags being evaluated, by depth; scratch space for cycle detection. */
  readonly path: string[];
}

function serve(compiled: CompiledServe, context: ContextRecord): EvaluationResult {
  if (compiled.result !== null) return compiled.result;
  return serveRollout(compiled.rollout, context);
}

function ruleMatches(rule: CompiledRule, context: ContextRecord, scope: EvaluationScope): boolean {
  if (!allConditionsHold(rule.conditions, context)) return false;
  for (const segmentKey of rule.segments) {
    const segment = scope.segments.get(segmentKey);
    if (segment === undefined || !isInSegment(segment, context)) return false;
  }
  return true;
}

function cycleError(path: readonly string[], depth: number, repeated: string): EvaluationResult {
  const start = path.indexOf(repeated);
  const cycle = [...path.slice(start, depth + 1), repeated];
  return errorResult(ErrorCodes.GENERAL, `prerequisite cycle: ${cycle.join(" -> ")}`);
}

function isConfigurationError(result: EvaluationResult): boolean {
  return result.reason === Reasons.ERROR && result.errorCode === ErrorCodes.GENERAL;
}

/**
 * Checks prerequisites in order; the first one not met decides the result. A prerequisite is
 * met when its flag exists and evaluates, for the same context, to the required variation. A
 * configuration error further down (a cycle, a chain too deep, a bad index) is the error of
 * every flag depending on it; other errors (a missing targeting key) simply leave it unmet.
 */
function checkPrerequisites(
  prerequisites: readonly CompiledPrerequisite[],
  context: ContextRecord,
  scope: EvaluationScope,
  depth: number,
): EvaluationResult | null {
  for (const prerequisite of prerequisites) {
    const flag = scope.flags.get(prerequisite.key);
    if (flag === undefined) return prerequisite.unmetResult;
    for (let level = 0; level <= depth; level++) {
      if (scope.path[level] === prerequisite.key) return cycleError(scope.path, depth, prerequisite.key);
    }
    if (depth + 1 > MAX_PREREQUISITE_DEPTH) {
      const chain = [...scope.path.slice(0, depth + 1), prerequisite.key].join(" -> ");
      return errorResult(ErrorCodes.GENERAL, `prerequisite chain deeper than ${MAX_PREREQUISITE_DEPTH}: ${chain}`);
    }
    const result = evaluateCompiledFlag(flag, context, scope, depth + 1);
    if (isConfigurationError(result)) return result;
    if (result.variation !== prerequisite.variation) return prerequisite.unmetResult;
  }
  return null;
}

/**
 * Evaluates a compiled flag:
 * 1. off → off variation, DISABLED;
 * 2. prerequisites (only when on): the first unmet one → off variation, DISABLED, prerequisiteKey;
 * 3. the first rule whose conditions all hold and whose segments all contain the context →
 *    its serve: TARGETING_MATCH (variation) or SPLIT (rollout), with ruleId;
 * 4. otherwise the fallthrough: STATIC when the flag has no rules, DEFAULT when none matched,
 *    SPLIT for a rollout.
 */
export function evaluateCompiledFlag(flag: CompiledFlag, context: ContextRecord, scope: EvaluationScope, depth: number): EvaluationResult {
  const constant = flag.constantResult;
  if (constant !== null) return constant;
  if (!flag.enabled) return flag.offResult;
  if (flag.prerequisites.length > 0) {
    scope.path[depth] = flag.key;
    const unmet = checkPrerequisites(flag.prerequisites, context, scope, depth);
    if (unmet !== null) return unmet;
  }
  for (const rule of flag.rules) {
    if (ruleMatches(rule, context, scope)) return serve(rule.serve, context);
  }
  return serve(flag.fallthrough, context);
}
