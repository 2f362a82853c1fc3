import { type EvaluationContext, type SampledContext, sampleContext } from "@switchyard/core";

/** The most contexts one report carries. */
export const MAX_SAMPLED_CONTEXTS = 1_000;
/** After this many recorded evaluations in a period the stride doubles (and again after as many more). */
const RECORDS_PER_STRIDE = 1_000;

export interface ReportedContext {
  context: SampledContext;
  count: number;
}

/**
 * A bounded sample of the contexts evaluated in one metrics period, sent with the counts so the
 * server can preview whom a change would flip. Only the context key and the attributes the
 * environment's targeting reads are kept (`attributes`), minus `privateAttributes`.
 *
 * Built for the evaluation hot path: most calls only decrement a countdown. Every `stride`-th
 * evaluation is recorded with weight `stride`, so counts stay unbiased; the stride starts at 1 and
 * doubles after each RECORDS_PER_STRIDE records in the period, so a busy process records a few
 * thousand evaluations a period, not millions. Once `capacity` contexts are held, each new one
 * replaces a random one with probability capacity / contexts met (a reservoir over contexts).
 */
export class ContextSample {
  private byKey = new Map<string, ReportedContext>();
  private keys: string[] = [];
  private met = 0;
  private countdown = 1;
  private stride = 1;
  private recorded = 0;

  constructor(
    private readonly withheld: ReadonlySet<string>,
    private readonly capacity = MAX_SAMPLED_CONTEXTS,
    private readonly random: () => number = Math.random,
  ) {}

  offer(context: EvaluationContext, attributes: () => readonly string[]): void {
    if (--this.countdown > 0) return;
    // This record stands for the `stride` evaluations since the last one (the countdown it set).
    this.record(context, attributes, this.stride);
    if (++this.recorded % RECORDS_PER_STRIDE === 0) this.stride *= 2;
    this.countdown = this.stride;
  }

  /** Ends the period: its contexts, and a new, empty sample. */
  take(): ReportedContext[] {
    const contexts = [...this.byKey.values()];
    this.byKey = new Map();
    this.keys = [];
    this.met = 0;
    this.countdown = 1;
    this.stride = 1;
    this.recorded = 0;
    return contexts;
  }

  private record(context: EvaluationContext, attributes: () => readonly string[], weight: number): void {
    const key = context.key;
    if (typeof key !== "string") return;
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      existing.count += weight;
      return;
    }
    const sampled = sampleContext(context, attributes(), this.withheld);
    if (sampled === undefined) return;
    this.met++;
    if (this.keys.length < this.capacity) {
      this.keys.push(key);
      this.byKey.set(key, { context: sampled, count: weight });
      return;
    }
    const slot = Math.floor(this.random() * this.met);
    const replaced = this.keys[slot];
    if (replaced === undefined) return;
    this.byKey.delete(replaced);
    this.keys[slot] = key;
    this.byKey.set(key, { context: sampled, count: weight });
  }
}
