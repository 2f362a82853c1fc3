import { BUCKET_COUNT, type HashPrefix, bucketWithPrefix, hashPrefix } from "./bucketing";
import { type AttributeReader, compileAttributeReader } from "./attribute-path";
import { type ContextRecord, identityOf } from "./context-attribute";
import { errorResult, type FlagVariations, variationResult } from "./evaluation-results";
import { ErrorCodes, type EvaluationResult, type Reason, type Rollout } from "./types";

/**
 * A compiled percentage rollout. The context's bucket (see bucketing.ts) is compared with the
 * cumulative weights: bucket < w0 → variation 0, < w0 + w1 → 1, and so on (with an explicit
 * `variations` order: → variations[0], variations[1], …). Because the order
 * is fixed, raising the first variation's share keeps everyone who already had it.
 */
export interface CompiledRollout {
  readonly bucketBy: string;
  /** Reads the `bucketBy` attribute (an attribute path, see attribute-path.ts). */
  readonly read: AttributeReader;
  readonly prefix: HashPrefix;
  /** thresholds[i] = w0 + … + wi. */
  readonly thresholds: readonly number[];
  readonly results: readonly EvaluationResult[];
  readonly missingKeyResult: EvaluationResult;
}

const DEFAULT_BUCKET_BY = "key";

/**
 * Compiles a rollout, or returns the ERROR result it would always give when its weights are
 * unusable (not non-negative integers summing to 100000) — validation prevents that.
 */
export function compileRollout(
  rollout: Rollout,
  flagKey: string,
  variations: FlagVariations,
  ruleId: string | undefined,
  reason: Reason,
): CompiledRollout | EvaluationResult {
  const weights: unknown = rollout.weights;
  if (!Array.isArray(weights)) return errorResult(ErrorCodes.GENERAL, "rollout has no weights");
  const order: unknown = rollout.variations;
  if (order !== undefined && (!Array.isArray(order) || order.length !== weights.length)) {
    return errorResult(ErrorCodes.GENERAL, "rollout variations and weights differ in length");
  }
  const thresholds: number[] = [];
  let total = 0;
  for (const weight of weights) {
    if (typeof weight !== "number" || !Number.isSafeInteger(weight) || weight < 0) {
      return errorResult(ErrorCodes.GENERAL, "rollout weights must be non-negative integers");
    }
    total += weight;
    thresholds.push(total);
  }
  if (total !== BUCKET_COUNT) {
    return errorResult(ErrorCodes.GENERAL, `rollout weights sum to ${total}, not ${BUCKET_COUNT}`);
  }
  const bucketBy = typeof rollout.bucketBy === "string" ? rollout.bucketBy : DEFAULT_BUCKET_BY;
  const seed = typeof rollout.salt === "string" ? rollout.salt : flagKey;
  return Object.freeze({
    bucketBy,
    read: compileAttributeReader(bucketBy),
    prefix: hashPrefix(seed),
    thresholds,
    results: thresholds.map((_, position) => {
      const index: unknown = Array.isArray(order) ? order[position] : position;
      return variationResult(variations, typeof index === "number" ? index : -1, reason, { ruleId });
    }),
    missingKeyResult: errorResult(
      ErrorCodes.TARGETING_KEY_MISSING,
      `the rollout buckets by "${bucketBy}", which the context lacks (or is not a string or integer)`,
    ),
  });
}

/** The result a rollout serves this context. Allocation-free for string attributes. */
export function serveRollout(rollout: CompiledRollout, context: ContextRecord): EvaluationResult {
  const value = identityOf(rollout.read(context));
  if (value === undefined) return rollout.missingKeyResult;
  const bucket = bucketWithPrefix(rollout.prefix, value);
  const thresholds = rollout.thresholds;
  for (let index = 0; index < thresholds.length; index++) {
    if (bucket < (thresholds[index] ?? 0)) {
      return rollout.results[index] ?? rollout.missingKeyResult;
    }
  }
  return rollout.missingKeyResult; // unreachable: the last threshold is BUCKET_COUNT
}
