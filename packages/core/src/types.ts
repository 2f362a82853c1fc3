/**
 * The data model every part of Switchyard shares: flag definitions as the server stores them
 * per environment, segments, contexts, and evaluation results in OpenFeature's vocabulary.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A variation value; never `null` (a null result means "no value", see EvaluationResult). */
export type VariationValue = string | number | boolean | JsonValue[] | JsonObject;

/** The context a flag is evaluated for. `key` is the identity used for targeting and bucketing. */
export type EvaluationContext = { key?: string; [attribute: string]: unknown };

export const Operators = {
  in: "in",
  contains: "contains",
  startsWith: "startsWith",
  endsWith: "endsWith",
  matches: "matches",
  lt: "lt",
  lte: "lte",
  gt: "gt",
  gte: "gte",
  before: "before",
  after: "after",
  semverEq: "semverEq",
  semverLt: "semverLt",
  semverGt: "semverGt",
  exists: "exists",
} as const;
export type Operator = (typeof Operators)[keyof typeof Operators];

export interface Condition {
  attribute: string;
  operator: Operator;
  values: JsonPrimitive[];
  negate?: boolean;
}

/** Weights are thousandths of a percent (100000 = 100 %), one per variation. */
export interface Rollout {
  bucketBy?: string; // default "key"
  salt?: string; // default: the flag key
  weights: number[];
}

export type Serve = { variation: number } | { rollout: Rollout };

export interface Rule {
  id: string;
  description?: string;
  conditions: Condition[];
  segments?: string[];
  serve: Serve;
}

export interface Prerequisite {
  flag: string;
  variation: number;
}

/** What an environment holds for one flag (without the flag's own fields). */
export interface FlagConfig {
  enabled: boolean;
  offVariation: number;
  rules: Rule[];
  fallthrough: Serve;
  prerequisites?: Prerequisite[];
}

/** A flag as evaluated in one environment: the flag's variations plus that environment's config. */
export interface FlagDefinition extends FlagConfig {
  key: string;
  variations: VariationValue[];
  version: number;
}

export interface SegmentRule {
  id: string;
  conditions: Condition[];
}

export interface Segment {
  key: string;
  included: string[];
  excluded: string[];
  rules: SegmentRule[];
  version: number;
}

/** Everything needed to evaluate every flag of one environment. */
export interface Snapshot {
  flags: FlagDefinition[];
  segments: Segment[];
}

export const Reasons = {
  DISABLED: "DISABLED",
  TARGETING_MATCH: "TARGETING_MATCH",
  SPLIT: "SPLIT",
  DEFAULT: "DEFAULT",
  STATIC: "STATIC",
  ERROR: "ERROR",
} as const;
export type Reason = (typeof Reasons)[keyof typeof Reasons];

export const ErrorCodes = {
  FLAG_NOT_FOUND: "FLAG_NOT_FOUND",
  TYPE_MISMATCH: "TYPE_MISMATCH",
  PARSE_ERROR: "PARSE_ERROR",
  TARGETING_KEY_MISSING: "TARGETING_KEY_MISSING",
  GENERAL: "GENERAL",
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * The result of one evaluation. On `ERROR`, `value` and `variation` are null and the caller
 * (SDK) substitutes its own default.
 */
export interface EvaluationResult {
  value: VariationValue | null;
  variation: number | null;
  reason: Reason;
  ruleId?: string;
  /** Set when the flag served its off variation because this prerequisite was not met. */
  prerequisiteKey?: string;
  errorCode?: ErrorCode;
  errorMessage?: string;
}
