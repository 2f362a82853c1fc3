import type { FlagConfig, Serve } from "@switchyard/core";

function highestInServe(serve: Serve): number {
  return "variation" in serve ? serve.variation : serve.rollout.weights.length - 1;
}

/** The highest variation index a config can serve; a flag must keep more variations than this. */
export function highestVariationIndex(config: FlagConfig): number {
  return Math.max(config.offVariation, highestInServe(config.fallthrough), ...config.rules.map((r) => highestInServe(r.serve)));
}
