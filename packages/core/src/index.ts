export * from "./types";
export { BUCKET_COUNT, bucket, murmur3 } from "./bucketing";
export { type Engine, type FlagEvaluator, type SnapshotChange, compile, evaluateFlag } from "./engine";
export { MAX_PREREQUISITE_DEPTH } from "./flag-evaluation";
export { normalizeContext } from "./context";
export { type AttributeReader, attributePathProblem, compileAttributeReader, parseAttributePath } from "./attribute-path";
export { type SemanticVersion, compareSemver, parseSemver } from "./semver";
export { parseDateValue } from "./date-value";
export { findPrerequisiteCycle } from "./prerequisite-cycle";
export {
  type FlagConfigReferences,
  type FlagConfigToValidate,
  type ServeToValidate,
  type ValidationIssue,
  validateFlagConfig,
} from "./config-validation";
export {
  VARIATION_NAME_PATTERN,
  type VariationIdsOf,
  type VariationRef,
  defaultVariationName,
  defaultVariationNames,
  indexedConfig,
  resolveVariationRef,
  storedConfig,
  variationUses,
} from "./variation-refs";
export { servableVariations } from "./servable-variations";
export type { CaseExpectation, CasesDocument } from "./cases-document";
export { type SampledContext, type SampledValue, attributesUsed, sampleContext } from "./seen-context";
export { type ServeFlip, rolloutFlips } from "./rollout-flips";
export {
  type ChangeImpact,
  type FlagImpact,
  type Flip,
  type Outcome,
  type ValueCount,
  type WeightedContext,
  changeImpact,
  dependentsOf,
} from "./change-impact";
