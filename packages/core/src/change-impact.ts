import type { Engine } from "./engine";
import type { EvaluationContext, EvaluationResult, VariationValue } from "./types";

/** A context and how many evaluations it stands for. */
export interface WeightedContext {
  context: EvaluationContext;
  weight: number;
}

/** What decided an evaluation: the value served and the rule (or reason) that chose it. */
export type Outcome = Omit<EvaluationResult, "errorMessage">;

/** One variation (null: an error, so the caller's own default) and whom it is served. */
export interface ValueCount {
  variation: number | null;
  value: VariationValue | null;
  contexts: number;
  evaluations: number;
}

export interface Flip {
  context: EvaluationContext;
  weight: number;
  before: Outcome;
  after: Outcome;
}

export interface FlagImpact {
  flag: string;
  before: ValueCount[];
  after: ValueCount[];
  flips: { contexts: number; evaluations: number; share: number };
  /** The heaviest flips first, at most `sampleSize`. */
  examples: Flip[];
}

export interface ChangeImpact {
  contexts: number;
  evaluations: number;
  flag: FlagImpact;
  /** Flags with this one as a prerequisite (directly or further up the chain) whose value moves too. */
  dependents: FlagImpact[];
}

function outcome(result: EvaluationResult): Outcome {
  const out: Outcome = { value: result.value, variation: result.variation, reason: result.reason };
  if (result.ruleId !== undefined) out.ruleId = result.ruleId;
  if (result.prerequisiteKey !== undefined) out.prerequisiteKey = result.prerequisiteKey;
  if (result.errorCode !== undefined) out.errorCode = result.errorCode;
  return out;
}

class Tally {
  private readonly byVariation = new Map<number | null, ValueCount>();

  add(result: EvaluationResult, weight: number): void {
    const entry = this.byVariation.get(result.variation);
    if (entry === undefined) {
      this.byVariation.set(result.variation, { variation: result.variation, value: result.value, contexts: 1, evaluations: weight });
    } else {
      entry.contexts++;
      entry.evaluations += weight;
    }
  }

  counts(): ValueCount[] {
    return [...this.byVariation.values()].sort((a, b) => (a.variation ?? -1) - (b.variation ?? -1));
  }
}

function flagImpact(flag: string, before: Engine, after: Engine, contexts: readonly WeightedContext[], sampleSize: number, total: number) {
  const tallyBefore = new Tally();
  const tallyAfter = new Tally();
  // Flips are kept as indexes and results; only the `sampleSize` heaviest become objects.
  const flipped: Array<{ index: number; before: EvaluationResult; after: EvaluationResult }> = [];
  let flippedEvaluations = 0;
  const from = before.evaluator(flag);
  const to = after.evaluator(flag);
  for (let index = 0; index < contexts.length; index++) {
    const entry = contexts[index];
    if (entry === undefined) continue;
    const { context, weight } = entry;
    const a = from === undefined ? before.evaluate(flag, context) : from.evaluate(context);
    const b = to === undefined ? after.evaluate(flag, context) : to.evaluate(context);
    tallyBefore.add(a, weight);
    tallyAfter.add(b, weight);
    if (a.variation === b.variation) continue;
    flippedEvaluations += weight;
    flipped.push({ index, before: a, after: b });
  }
  const weightOf = (index: number) => contexts[index]?.weight ?? 0;
  flipped.sort((x, y) => weightOf(y.index) - weightOf(x.index));
  const impact: FlagImpact = {
    flag,
    before: tallyBefore.counts(),
    after: tallyAfter.counts(),
    flips: { contexts: flipped.length, evaluations: flippedEvaluations, share: total === 0 ? 0 : flippedEvaluations / total },
    examples: flipped.slice(0, sampleSize).map(({ index, before: a, after: b }) => ({
      context: contexts[index]?.context ?? {},
      weight: weightOf(index),
      before: outcome(a),
      after: outcome(b),
    })),
  };
  return impact;
}

/** Keys of the flags that reach `flag` through prerequisites, nearest first. */
export function dependentsOf(engine: Engine, flag: string): string[] {
  const found: string[] = [];
  const seen = new Set([flag]);
  for (let frontier = [flag]; frontier.length > 0; ) {
    const next: string[] = [];
    for (const key of engine.keys()) {
      if (seen.has(key)) continue;
      const prerequisites = engine.flag(key)?.prerequisites ?? [];
      if (prerequisites.some((p) => frontier.includes(p.flag))) {
        seen.add(key);
        found.push(key);
        next.push(key);
      }
    }
    frontier = next;
  }
  return found;
}

/**
 * Whom a change flips: every context evaluated for `flag` against the engine before and the
 * engine after the change (prerequisites and segments resolve in each), weighted by its
 * evaluations. A flip is a change of variation; a change of rule that serves the same variation
 * is not one. Dependents are evaluated the same way, so a prerequisite change shows its ripple.
 */
export function changeImpact(input: {
  flag: string;
  before: Engine;
  after: Engine;
  contexts: readonly WeightedContext[];
  sampleSize?: number;
}): ChangeImpact {
  const { flag, before, after, contexts } = input;
  const sampleSize = input.sampleSize ?? 20;
  let evaluations = 0;
  for (const { weight } of contexts) evaluations += weight;
  const dependents = [...new Set([...dependentsOf(before, flag), ...dependentsOf(after, flag)])];
  return {
    contexts: contexts.length,
    evaluations,
    flag: flagImpact(flag, before, after, contexts, sampleSize, evaluations),
    dependents: dependents.map((key) => flagImpact(key, before, after, contexts, sampleSize, evaluations)),
  };
}
