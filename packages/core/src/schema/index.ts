/**
 * `@switchyard/core/schema`: zod schemas for the HTTP edge, and the semantic validation that
 * needs the environment. Kept off the main entry so SDKs never pull in zod.
 */
export { attributePathSchema } from "./attribute-path-schema";
export { type ConditionInput, conditionSchema } from "./condition-schema";
export { contextSchema } from "./context-schema";
export {
  type FlagConfigInput,
  type RuleInput,
  flagConfigInputSchema,
  prerequisiteSchema,
  ruleInputSchema,
} from "./flag-config-schema";
export { FLAG_KEY_PATTERN, RULE_ID_PATTERN, flagKeySchema, ruleIdSchema } from "./keys-schema";
export { type SegmentInput, segmentInputSchema, segmentRuleInputSchema } from "./segment-schema";
export { type ServeInput, rolloutSchema, serveSchema, variationRefSchema } from "./serve-schema";
export {
  MAX_METADATA_KEYS,
  type VariationInput,
  type VariationListInput,
  flagMetadataSchema,
  variationInputSchema,
  variationListSchema,
  variationNameSchema,
  variationsSchema,
} from "./variations-schema";
export { normalizeContext } from "../context";
export { findPrerequisiteCycle } from "../prerequisite-cycle";
export {
  type FlagConfigReferences,
  type FlagConfigToValidate,
  type ServeToValidate,
  type ValidationIssue,
  validateFlagConfig,
} from "../config-validation";
