import { BUCKET_COUNT } from "./bucketing";
import type { FlagConfig, Serve } from "./types";

/** How one serve (a rule's or the fallthrough) changes, for the contexts it decides. */
export interface ServeFlip {
  /** `fallthrough`, or `rule:<id>` for a rule present before and after. */
  serve: string;
  /** Weights per variation (thousandths of a percent); a fixed variation is 100000 on it. */
  before: number[];
  after: number[];
  /** The share (0–1) of the contexts this serve decides whose variation changes. */
  flipShare: number;
  /**
   * True when the share is exact for every context, seen or not: both sides bucket by the same
   * attribute and salt (or one side serves a fixed variation). False when the bucketing itself
   * changes: the buckets are then independent and the share is the expected one.
   */
  exact: boolean;
}

interface Bucketing {
  /** Weights per variation index. */
  weights: number[];
  /** [weight, variation] in bucket order (a rollout may order its variations its own way). */
  slices: Array<[weight: number, variation: number]>;
  /** `bucketBy` and salt; undefined for a fixed variation (no bucketing). */
  seed: string | undefined;
}

function bucketing(serve: Serve, flagKey: string, variationCount: number): Bucketing {
  if ("rollout" in serve) {
    const { bucketBy = "key", salt = flagKey, weights, variations } = serve.rollout;
    const slices = weights.map((weight, position): [number, number] => [weight, variations?.[position] ?? position]);
    const perVariation = Array.from({ length: Math.max(variationCount, ...slices.map(([, v]) => v + 1)) }, () => 0);
    for (const [weight, variation] of slices) perVariation[variation] = (perVariation[variation] ?? 0) + weight;
    return { weights: perVariation, slices, seed: JSON.stringify([bucketBy, salt]) };
  }
  const weights = Array.from({ length: Math.max(variationCount, serve.variation + 1) }, (_, i) =>
    i === serve.variation ? BUCKET_COUNT : 0,
  );
  return { weights, slices: [[BUCKET_COUNT, serve.variation]], seed: undefined };
}

/** The variation served at each bucket, as [end, variation] runs in bucket order. */
function runs(slices: ReadonlyArray<[number, number]>): Array<[end: number, variation: number]> {
  let end = 0;
  const out: Array<[number, number]> = [];
  for (const [weight, variation] of slices) {
    if (weight <= 0) continue;
    end += weight;
    out.push([end, variation]);
  }
  return out;
}

/** Buckets (of BUCKET_COUNT) where the variation differs, walking both cumulative ranges at once. */
function differingBuckets(before: ReadonlyArray<[number, number]>, after: ReadonlyArray<[number, number]>): number {
  const a = runs(before);
  const b = runs(after);
  let i = 0;
  let j = 0;
  let start = 0;
  let differing = 0;
  while (i < a.length && j < b.length) {
    const [endA, variationA] = a[i] ?? [BUCKET_COUNT, 0];
    const [endB, variationB] = b[j] ?? [BUCKET_COUNT, 0];
    const end = Math.min(endA, endB);
    if (variationA !== variationB) differing += end - start;
    start = end;
    if (endA === end) i++;
    if (endB === end) j++;
  }
  return differing;
}

function flipShare(before: Bucketing, after: Bucketing): { flipShare: number; exact: boolean } {
  if (before.seed === undefined || after.seed === undefined || before.seed === after.seed) {
    return { flipShare: differingBuckets(before.slices, after.slices) / BUCKET_COUNT, exact: true };
  }
  // Independent buckets: a context keeps its variation with probability Σ p_i q_i.
  let same = 0;
  before.weights.forEach((weight, i) => (same += (weight / BUCKET_COUNT) * ((after.weights[i] ?? 0) / BUCKET_COUNT)));
  return { flipShare: 1 - same, exact: false };
}

const isRollout = (serve: Serve) => "rollout" in serve;
const sameSlices = (a: ReadonlyArray<[number, number]>, b: ReadonlyArray<[number, number]>) =>
  a.length === b.length && a.every(([weight, variation], i) => weight === b[i]?.[0] && variation === b[i]?.[1]);

/**
 * For a change from `before` to `after` of one flag, the share of contexts that flip in each
 * serve involving a rollout (on either side): the fallthrough, and every rule kept by id.
 * Bucketing is deterministic, so this holds for all contexts, not only a sample. A serve whose
 * outcome does not change is left out; so is one whose flag is off on either side (everyone
 * then gets the off variation, which a sample shows without any math).
 */
export function rolloutFlips(flagKey: string, variationCount: number, before: FlagConfig, after: FlagConfig): ServeFlip[] {
  if (!before.enabled || !after.enabled) return [];
  const pairs: Array<[string, Serve, Serve]> = [["fallthrough", before.fallthrough, after.fallthrough]];
  for (const rule of before.rules) {
    const next = after.rules.find((r) => r.id === rule.id);
    if (next !== undefined) pairs.push([`rule:${rule.id}`, rule.serve, next.serve]);
  }
  const flips: ServeFlip[] = [];
  for (const [serve, from, to] of pairs) {
    if (!isRollout(from) && !isRollout(to)) continue;
    const a = bucketing(from, flagKey, variationCount);
    const b = bucketing(to, flagKey, variationCount);
    if (a.seed === b.seed && sameSlices(a.slices, b.slices)) continue;
    flips.push({ serve, before: a.weights, after: b.weights, ...flipShare(a, b) });
  }
  return flips;
}
