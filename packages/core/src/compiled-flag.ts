import { errorResult, type FlagVariations, freezeMetadata, freezeVariation, variationResult } from "./evaluation-results";
import { type ConditionMatcher, compileCondition } from "./operators/condition";
import { type CompiledRollout, compileRollout } from "./percentage-rollout";
import { ErrorCodes, type EvaluationResult, type FlagDefinition, type Reason, Reasons, type Serve } from "./types";

/** A serve: a precomputed result, or a rollout to bucket the context into. */
export type CompiledServe =
  | { readonly result: EvaluationResult; readonly rollout: null }
  | { readonly result: null; readonly rollout: CompiledRollout };

export interface CompiledRule {
  readonly id: string;
  readonly conditions: readonly ConditionMatcher[];
  /** Segment keys, resolved at evaluation so a segment change does not recompile flags. */
  readonly segments: readonly string[];
  readonly serve: CompiledServe;
}

export interface CompiledPrerequisite {
  readonly key: string;
  readonly variation: number;
  /** Off variation, reason DISABLED, `prerequisiteKey` = key. */
  readonly unmetResult: EvaluationResult;
}

export interface CompiledFlag {
  readonly key: string;
  readonly definition: FlagDefinition;
  readonly enabled: boolean;
  readonly offResult: EvaluationResult;
  /** Set when the outcome never depends on the context (off, or on with a static serve only). */
  readonly constantResult: EvaluationResult | null;
  readonly prerequisites: readonly CompiledPrerequisite[];
  readonly rules: readonly CompiledRule[];
  readonly fallthrough: CompiledServe;
}

function compileServe(
  serve: Serve,
  flagKey: string,
  variations: FlagVariations,
  ruleId: string | undefined,
  staticReason: Reason,
): CompiledServe {
  if ("rollout" in serve && typeof serve.rollout === "object" && serve.rollout !== null) {
    const rollout = compileRollout(serve.rollout, flagKey, variations, ruleId, Reasons.SPLIT);
    return "thresholds" in rollout ? { result: null, rollout } : { result: rollout, rollout: null };
  }
  if ("variation" in serve && typeof serve.variation === "number") {
    const details = ruleId === undefined ? {} : { ruleId };
    return { result: variationResult(variations, serve.variation, staticReason, details), rollout: null };
  }
  return {
    result: errorResult(ErrorCodes.GENERAL, "serve has neither a variation nor a rollout"),
    rollout: null,
  };
}

function arrayOrEmpty<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** Compiles one flag definition; see flag-evaluation.ts for what the parts mean. */
export function compileFlag(definition: FlagDefinition): CompiledFlag {
  const key = definition.key;
  const variations: FlagVariations = {
    values: arrayOrEmpty(definition.variations).map(freezeVariation),
    names: arrayOrEmpty(definition.variationNames),
    metadata: freezeMetadata(definition.metadata),
  };
  const enabled = definition.enabled === true;
  const offResult = variationResult(variations, definition.offVariation, Reasons.DISABLED);
  const ruleDefinitions = arrayOrEmpty(definition.rules);
  const rules = ruleDefinitions.map(
    (rule): CompiledRule => ({
      id: rule.id,
      conditions: arrayOrEmpty(rule.conditions).map(compileCondition),
      segments: arrayOrEmpty(rule.segments),
      serve: compileServe(rule.serve, key, variations, rule.id, Reasons.TARGETING_MATCH),
    }),
  );
  const fallthroughReason = rules.length === 0 ? Reasons.STATIC : Reasons.DEFAULT;
  const fallthrough = compileServe(definition.fallthrough, key, variations, undefined, fallthroughReason);
  const prerequisites = arrayOrEmpty(definition.prerequisites).map(
    (prerequisite): CompiledPrerequisite => ({
      key: prerequisite.flag,
      variation: prerequisite.variation,
      unmetResult: variationResult(variations, definition.offVariation, Reasons.DISABLED, {
        prerequisiteKey: prerequisite.flag,
      }),
    }),
  );
  let constantResult: EvaluationResult | null = null;
  if (!enabled) constantResult = offResult;
  else if (prerequisites.length === 0 && rules.length === 0) constantResult = fallthrough.result;
  return Object.freeze({
    key,
    definition,
    enabled,
    offResult,
    constantResult,
    prerequisites,
    rules,
    fallthrough,
  });
}

/** Stands in for a flag whose definition could not be compiled: every evaluation is an error. */
export function brokenFlag(definition: FlagDefinition, reason: string): CompiledFlag {
  const result = errorResult(ErrorCodes.PARSE_ERROR, `flag "${definition.key}" is invalid: ${reason}`);
  return Object.freeze({
    key: definition.key,
    definition,
    enabled: false,
    offResult: result,
    constantResult: result,
    prerequisites: [],
    rules: [],
    fallthrough: { result, rollout: null },
  });
}
