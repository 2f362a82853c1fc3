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

/**
 * Weights are thousandths of a percent (100000 = 100 %). Without `variations`, one weight per
 * variation in the flag's order; with it, `weights[i]` is the share of `variations[i]` (an
 * index), and that order — not the flag's — is the bucket order, so reordering a flag's
 * variations moves no context from one to another.
 */
export interface Rollout {
  bucketBy?: string; // default "key"
  salt?: string; // default: the flag key
  variations?: number[];
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

/** Descriptive data about a flag (OpenFeature's flag metadata); never used for targeting. */
export type FlagMetadata = Record<string, string | number | boolean>;

/**
 * A flag as evaluated in one environment: the flag's variations plus that environment's config.
 * This is the SDK wire format: variations by index, with their names beside them.
 */
export interface FlagDefinition extends FlagConfig {
  key: string;
  variations: VariationValue[];
  /** `variationNames[i]` names `variations[i]`; results report it as `variant`. */
  variationNames?: string[];
  metadata?: FlagMetadata;
  version: number;
}

/**
 * One variation as the server stores it and the admin API shows it: `id` never changes, so
 * configs that refer to it keep their meaning when the flag's variations are renamed,
 * edited or reordered.
 */
export interface Variation {
  id: string;
  name: string;
  value: VariationValue;
  description?: string;
}

/*
 * A flag config as the server stores it and the admin API shows it: every variation is
 * referred to by its id (a prerequisite's by the id of the prerequisite flag's variation).
 * The server turns it into a `FlagConfig` (indexes) for the engine and the SDKs.
 */
export interface StoredRollout {
  bucketBy?: string;
  salt?: string;
  /** Variation ids, in bucket order; `weights[i]` is the share of `variations[i]`. */
  variations: string[];
  weights: number[];
}
export type StoredServe = { variation: string } | { rollout: StoredRollout };
export interface StoredRule {
  id: string;
  description?: string;
  conditions: Condition[];
  segments?: string[];
  serve: StoredServe;
}
export interface StoredPrerequisite {
  flag: string;
  variation: string;
}
export interface StoredFlagConfig {
  enabled: boolean;
  offVariation: string;
  rules: StoredRule[];
  fallthrough: StoredServe;
  prerequisites?: StoredPrerequisite[];
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
  /** The served variation's name (its index as a string for a flag without names); absent on ERROR. */
  variant?: string;
  reason: Reason;
  ruleId?: string;
  /** Set when the flag served its off variation because this prerequisite was not met. */
  prerequisiteKey?: string;
  /** The flag's metadata, when it has some (descriptive: it never decides what is served). */
  flagMetadata?: FlagMetadata;
  errorCode?: ErrorCode;
  errorMessage?: string;
}
