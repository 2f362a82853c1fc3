import { type Context, InMemStorageProvider, type Unleash, startUnleash } from "unleash-client";
// The constraint operator enum is not re-exported from the package root.
import { Operator } from "unleash-client/lib/strategy/strategy.js";
import { B_COUNTRIES, B_PLANS, B_ROLLOUT_PERCENT, FLAG_A, FLAG_B, type WorkloadUser } from "../workload";
import type { Peer } from "./peer";

/*
 * unleash-client evaluated offline through its public API: bootstrap data, no refresh
 * (refreshInterval 0 never fetches), no metrics, an in-memory backup store. The URL is never
 * contacted.
 */

type BootstrapFeatures = NonNullable<NonNullable<Parameters<typeof startUnleash>[0]["bootstrap"]>["data"]>;

const features: BootstrapFeatures = [
  {
    name: FLAG_A,
    enabled: true,
    project: "default",
    strategies: [{ name: "default", parameters: {}, constraints: [] }],
  },
  {
    name: FLAG_B,
    enabled: true,
    project: "default",
    strategies: [
      {
        name: "flexibleRollout",
        parameters: { rollout: "100", stickiness: "default", groupId: FLAG_B },
        constraints: [
          { contextName: "country", operator: Operator.IN, inverted: false, values: [...B_COUNTRIES] },
          { contextName: "plan", operator: Operator.IN, inverted: false, values: [...B_PLANS] },
        ],
      },
      {
        name: "flexibleRollout",
        parameters: { rollout: String(B_ROLLOUT_PERCENT), stickiness: "userId", groupId: FLAG_B },
        constraints: [],
      },
    ],
  },
];

export async function setupUnleash(users: readonly WorkloadUser[]): Promise<Peer> {
  const unleash: Unleash = await startUnleash({
    appName: "switchyard-bench",
    url: "http://127.0.0.1:9/unused",
    refreshInterval: 0,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: features },
  });
  unleash.on("error", () => {});
  unleash.on("warn", () => {});
  const contexts: Context[] = users.map((user) => ({
    userId: user.key,
    properties: { country: user.country, plan: user.plan },
  }));
  const mask = contexts.length - 1;
  const fallback: Context = {};
  return {
    name: "unleash-client",
    flagA(iterations) {
      let on = 0;
      for (let i = 0; i < iterations; i++) if (unleash.isEnabled(FLAG_A, contexts[i & mask] ?? fallback)) on++;
      return on;
    },
    flagB(iterations) {
      let on = 0;
      for (let i = 0; i < iterations; i++) if (unleash.isEnabled(FLAG_B, contexts[i & mask] ?? fallback)) on++;
      return on;
    },
    close() {
      unleash.destroy();
    },
  };
}
