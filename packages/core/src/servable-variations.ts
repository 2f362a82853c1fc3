import type { FlagConfig, Serve } from "./types";

/**
 * Every variation a config can serve to some context, read from the config alone (no context, no
 * bucketing): the stale-flag report asks "can this ever serve anything else?". It over-approximates
 * on purpose — a rule whose conditions can never hold still counts — so a flag is only called fully
 * rolled out when no rule or rollout could possibly serve another variation.
 *
 * - off → only `offVariation`;
 * - prerequisites → `offVariation` too (an unmet prerequisite serves it);
 * - each rule's serve, up to the first rule with neither conditions nor segments (it matches every
 *   context, so nothing after it — the fallthrough included — is reachable);
 * - a rollout serves each variation with a non-zero weight.
 *
 * A rollout over a context without its `bucketBy` attribute is an evaluation error (the caller's
 * default, not a variation), so it adds nothing here.
 */
export function servableVariations(config: FlagConfig): number[] {
  if (!config.enabled) return [config.offVariation];
  const served = new Set<number>();
  if ((config.prerequisites ?? []).length > 0) served.add(config.offVariation);
  for (const rule of config.rules) {
    for (const v of serveVariations(rule.serve)) served.add(v);
    if (rule.conditions.length === 0 && (rule.segments ?? []).length === 0) return sorted(served);
  }
  for (const v of serveVariations(config.fallthrough)) served.add(v);
  return sorted(served);
}

function serveVariations(serve: Serve): number[] {
  if ("variation" in serve) return [serve.variation];
  const order = serve.rollout.variations;
  return serve.rollout.weights.flatMap((weight, position) => (weight > 0 ? [order?.[position] ?? position] : []));
}

const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
