import { type EvaluationContext, type FlagDefinition, compile } from "@switchyard/core";
import { B_COUNTRIES, B_PLANS, B_ROLLOUT_PERCENT, FLAG_A, FLAG_B, type WorkloadUser } from "../workload";
import type { Peer } from "./peer";

export function switchyardFlagB(key: string, countries: readonly string[]): FlagDefinition {
  const on = B_ROLLOUT_PERCENT * 1000;
  return {
    key,
    version: 1,
    variations: [true, false],
    enabled: true,
    offVariation: 1,
    rules: [
      {
        id: "countries-enterprise",
        conditions: [
          { attribute: "country", operator: "in", values: [...countries] },
          { attribute: "plan", operator: "in", values: [...B_PLANS] },
        ],
        serve: { variation: 0 },
      },
    ],
    fallthrough: { rollout: { weights: [on, 100_000 - on] } },
  };
}

export const switchyardFlagA: FlagDefinition = {
  key: FLAG_A,
  version: 1,
  variations: [true, false],
  enabled: true,
  offVariation: 1,
  rules: [],
  fallthrough: { variation: 0 },
};

export async function setupSwitchyard(users: readonly WorkloadUser[]): Promise<Peer> {
  const engine = compile({ flags: [switchyardFlagA, switchyardFlagB(FLAG_B, B_COUNTRIES)], segments: [] });
  const contexts: EvaluationContext[] = users.map((user) => ({ key: user.key, country: user.country, plan: user.plan }));
  const mask = contexts.length - 1;
  // One cursor for both flags: every call continues where the last one stopped.
  let cursor = 0;
  const fallback: EvaluationContext = {};
  return {
    name: "@switchyard/core",
    flagA(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++) {
        if (engine.evaluate(FLAG_A, contexts[i & mask] ?? fallback).value === true) on++;
      }
      cursor = (cursor + iterations) & mask;
      return on;
    },
    flagB(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++) {
        if (engine.evaluate(FLAG_B, contexts[i & mask] ?? fallback).value === true) on++;
      }
      cursor = (cursor + iterations) & mask;
      return on;
    },
    close() {},
  };
}
