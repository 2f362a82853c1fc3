import { type CompiledFlag, brokenFlag, compileFlag } from "./compiled-flag";
import { toContextRecord } from "./context-attribute";
import { errorResult } from "./evaluation-results";
import { type EvaluationScope, evaluateCompiledFlag } from "./flag-evaluation";
import { type CompiledSegment, compileSegment, emptySegment } from "./segments";
import { ErrorCodes, type EvaluationContext, type EvaluationResult, type FlagDefinition, type Segment, type Snapshot } from "./types";

/** A change to apply to an engine: upserted and deleted flags and segments, by key. */
export interface SnapshotChange {
  flags?: FlagDefinition[];
  segments?: Segment[];
  deletedFlags?: string[];
  deletedSegments?: string[];
}

/**
 * One flag of an engine, looked up once: `evaluate(context)` is `engine.evaluate(key, context)`
 * without the lookup by key. Bound to the engine it came from (prerequisites and segments are
 * read from that snapshot); never throws.
 */
export interface FlagEvaluator {
  readonly key: string;
  evaluate(context: EvaluationContext): EvaluationResult;
}

/**
 * Evaluates the flags of one snapshot. Immutable: `update` returns a new engine. Results are
 * frozen and shared between calls; `evaluate` never throws.
 */
export interface Engine {
  evaluate(flagKey: string, context: EvaluationContext): EvaluationResult;
  evaluateAll(context: EvaluationContext): Record<string, EvaluationResult>;
  has(flagKey: string): boolean;
  keys(): string[];
  flag(key: string): FlagDefinition | undefined;
  /**
   * The flag's evaluator, `undefined` for a key the snapshot lacks: for callers that evaluate
   * one flag often and keep per-flag state beside it. The same object for a key for the life
   * of this engine; `update` returns an engine with new ones.
   */
  evaluator(flagKey: string): FlagEvaluator | undefined;
  update(change: SnapshotChange): Engine;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function compileFlagSafely(definition: FlagDefinition): CompiledFlag {
  try {
    return compileFlag(definition);
  } catch (error) {
    return brokenFlag(definition, describe(error));
  }
}

function compileSegmentSafely(segment: Segment): CompiledSegment {
  try {
    return compileSegment(segment);
  } catch {
    return emptySegment(segment.key);
  }
}

/** Defence in depth: evaluation is written not to throw, but callers must never see it. */
function evaluateSafely(flag: CompiledFlag, context: EvaluationContext, scope: EvaluationScope): EvaluationResult {
  try {
    return evaluateCompiledFlag(flag, toContextRecord(context), scope, 0);
  } catch (error) {
    return errorResult(ErrorCodes.GENERAL, `evaluation of "${flag.key}" failed: ${describe(error)}`);
  }
}

class BoundFlag implements FlagEvaluator {
  readonly key: string;

  constructor(
    private readonly flag: CompiledFlag,
    private readonly scope: EvaluationScope,
  ) {
    this.key = flag.key;
  }

  evaluate(context: EvaluationContext): EvaluationResult {
    return this.flag.constantResult ?? evaluateSafely(this.flag, context, this.scope);
  }
}

class SnapshotEngine implements Engine {
  private readonly scope: EvaluationScope;
  /** Made on first request: an engine built for one evaluation should not pay for every flag. */
  private readonly evaluators = new Map<string, FlagEvaluator>();

  constructor(
    private readonly flags: ReadonlyMap<string, CompiledFlag>,
    private readonly segments: ReadonlyMap<string, CompiledSegment>,
  ) {
    this.scope = { flags, segments, path: [] };
  }

  evaluate(flagKey: string, context: EvaluationContext): EvaluationResult {
    const flag = this.flags.get(flagKey);
    if (flag === undefined) {
      return errorResult(ErrorCodes.FLAG_NOT_FOUND, `flag "${String(flagKey)}" not found`);
    }
    const constant = flag.constantResult;
    if (constant !== null) return constant;
    return evaluateSafely(flag, context, this.scope);
  }

  evaluateAll(context: EvaluationContext): Record<string, EvaluationResult> {
    const results: Record<string, EvaluationResult> = {};
    for (const [key, flag] of this.flags) {
      const result = flag.constantResult ?? evaluateSafely(flag, context, this.scope);
      if (key === "__proto__") {
        // Not a valid flag key, but an unvalidated one must become a property, not a prototype.
        Object.defineProperty(results, key, { value: result, enumerable: true, writable: true, configurable: true });
      } else {
        results[key] = result;
      }
    }
    return results;
  }

  has(flagKey: string): boolean {
    return this.flags.has(flagKey);
  }

  keys(): string[] {
    return [...this.flags.keys()];
  }

  flag(key: string): FlagDefinition | undefined {
    return this.flags.get(key)?.definition;
  }

  evaluator(flagKey: string): FlagEvaluator | undefined {
    const existing = this.evaluators.get(flagKey);
    if (existing !== undefined) return existing;
    const flag = this.flags.get(flagKey);
    if (flag === undefined) return undefined;
    const evaluator = new BoundFlag(flag, this.scope);
    this.evaluators.set(flagKey, evaluator);
    return evaluator;
  }

  update(change: SnapshotChange): Engine {
    const flags = new Map(this.flags);
    const segments = new Map(this.segments);
    for (const key of change.deletedFlags ?? []) flags.delete(key);
    for (const key of change.deletedSegments ?? []) segments.delete(key);
    for (const definition of change.flags ?? []) flags.set(definition.key, compileFlagSafely(definition));
    for (const segment of change.segments ?? []) segments.set(segment.key, compileSegmentSafely(segment));
    return new SnapshotEngine(flags, segments);
  }
}

/** Precompiles every flag and segment of a snapshot (later duplicates of a key win). */
export function compile(snapshot: Snapshot): Engine {
  const flags = new Map<string, CompiledFlag>();
  for (const definition of snapshot.flags) flags.set(definition.key, compileFlagSafely(definition));
  const segments = new Map<string, CompiledSegment>();
  for (const segment of snapshot.segments) segments.set(segment.key, compileSegmentSafely(segment));
  return new SnapshotEngine(flags, segments);
}

/** One-off evaluation; compiles the whole snapshot, so prefer `compile` for repeated use. */
export function evaluateFlag(snapshot: Snapshot, flagKey: string, context: EvaluationContext): EvaluationResult {
  return compile(snapshot).evaluate(flagKey, context);
}
