import type { Engine, FlagEvaluator } from "@switchyard/core";
import type { FlagUsage, UsageMetrics } from "./usage-metrics";

/** What an evaluation needs about one flag: its evaluator in the engine served now, and its counts. */
export interface ServedFlag {
  readonly evaluator: FlagEvaluator;
  /** `undefined` while evaluations are not counted (`sendMetrics: false`, or closed). */
  readonly usage: FlagUsage | undefined;
}

/**
 * The flags of the engine served now, by key, each beside its usage record, so an evaluation
 * that is counted finds both with one map lookup. Filled on first use of a key and dropped
 * whenever the engine changes; the records themselves belong to `UsageMetrics` and outlive any
 * engine, so a config update never drops or moves counts taken before it.
 */
export class ServedFlags {
  private byKey = new Map<string, ServedFlag>();
  private engine: Engine | undefined;

  constructor(private readonly usage: UsageMetrics | undefined) {}

  /** `undefined` for a key the engine lacks (such keys are not remembered: any string may come). */
  get(engine: Engine, key: string): ServedFlag | undefined {
    if (engine !== this.engine) {
      this.engine = engine;
      this.byKey = new Map();
    }
    return this.byKey.get(key) ?? this.add(engine, key);
  }

  private add(engine: Engine, key: string): ServedFlag | undefined {
    const evaluator = engine.evaluator(key);
    if (evaluator === undefined) return undefined;
    const served: ServedFlag = { evaluator, usage: this.usage?.flagUsage(key) };
    this.byKey.set(key, served);
    return served;
  }
}
