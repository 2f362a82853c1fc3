import type { EvaluationContext, Logger } from "@openfeature/core";
import { FlagdCore } from "@openfeature/flagd-core";
import { B_COUNTRIES, B_PLANS, B_ROLLOUT_PERCENT, FLAG_A, FLAG_B, type WorkloadUser } from "../workload";
import type { Peer } from "./peer";

const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

export function flagdFlagB(countries: readonly string[]): object {
  return {
    state: "ENABLED",
    variants: { on: true, off: false },
    defaultVariant: "off",
    targeting: {
      if: [
        { and: [{ in: [{ var: "country" }, [...countries]] }, { in: [{ var: "plan" }, [...B_PLANS]] }] },
        "on",
        {
          fractional: [
            ["on", B_ROLLOUT_PERCENT],
            ["off", 100 - B_ROLLOUT_PERCENT],
          ],
        },
      ],
    },
  };
}

/** flagd's flag configuration JSON, as `setConfigurations` takes it. */
export function flagdConfiguration(flags: Record<string, object>): string {
  return JSON.stringify({ flags });
}

export function createFlagdCore(): FlagdCore {
  return new FlagdCore(undefined, silentLogger);
}

export async function setupFlagdCore(users: readonly WorkloadUser[]): Promise<Peer> {
  const core = createFlagdCore();
  core.setConfigurations(
    flagdConfiguration({
      [FLAG_A]: { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" },
      [FLAG_B]: flagdFlagB(B_COUNTRIES),
    }),
  );
  const contexts: EvaluationContext[] = users.map((user) => ({
    targetingKey: user.key,
    country: user.country,
    plan: user.plan,
  }));
  const mask = contexts.length - 1;
  // One cursor for both flags: every call continues where the last one stopped.
  let cursor = 0;
  const fallback: EvaluationContext = {};
  return {
    name: "@openfeature/flagd-core",
    flagA(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++) {
        if (core.resolveBooleanEvaluation(FLAG_A, false, contexts[i & mask] ?? fallback, silentLogger).value) on++;
      }
      cursor = (cursor + iterations) & mask;
      return on;
    },
    flagB(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++) {
        if (core.resolveBooleanEvaluation(FLAG_B, false, contexts[i & mask] ?? fallback, silentLogger).value) on++;
      }
      cursor = (cursor + iterations) & mask;
      return on;
    },
    close() {},
  };
}
