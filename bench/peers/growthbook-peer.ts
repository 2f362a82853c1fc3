import { type FeatureDefinition, GrowthBookClient, type UserContext } from "@growthbook/growthbook";
import { B_COUNTRIES, B_PLANS, B_ROLLOUT_PERCENT, FLAG_A, FLAG_B, type WorkloadUser } from "../workload";
import type { SdkPeer } from "./peer";

/*
 * GrowthBook's server-side, multi-user client (`GrowthBookClient`, GrowthBook 1.x): one
 * instance holds the features, each evaluation gets the user's context as an argument
 * (`client.isOn(key, userContext)`), so nothing is created per request. Features are given with
 * `initSync({ payload })`: no client key, no streaming, no polling, no network.
 *
 * Flag B: a targeting rule (`condition`, Mongo-style) that forces `true`, then GrowthBook's
 * percentage rollout: a `force: true` rule with `coverage` 0.25 hashed on the `key` attribute
 * (an experiment rule with `variations`/`weights` would be an A/B test and call the tracking
 * callback; a rollout is the `force` + `coverage` form).
 */

const features: Record<string, FeatureDefinition> = {
  [FLAG_A]: { defaultValue: true },
  [FLAG_B]: {
    defaultValue: false,
    rules: [
      { id: "countries-enterprise", condition: { country: { $in: [...B_COUNTRIES] }, plan: { $in: [...B_PLANS] } }, force: true },
      { id: "rollout", force: true, coverage: B_ROLLOUT_PERCENT / 100, hashAttribute: "key" },
    ],
  },
};

export async function setupGrowthBook(users: readonly WorkloadUser[]): Promise<SdkPeer> {
  let logged = 0;
  const client = new GrowthBookClient({ log: () => void logged++ }).initSync({ payload: { features } });
  const contexts: UserContext[] = users.map((user) => ({
    attributes: { key: user.key, country: user.country, plan: user.plan },
  }));
  const mask = contexts.length - 1;
  // One cursor for both flags: every call continues where the last one stopped.
  let cursor = 0;
  const fallback: UserContext = {};
  return {
    name: "@growthbook/growthbook GrowthBookClient",
    flagA(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++) if (client.isOn(FLAG_A, contexts[i & mask] ?? fallback)) on++;
      cursor = (cursor + iterations) & mask;
      return on;
    },
    flagB(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++) if (client.isOn(FLAG_B, contexts[i & mask] ?? fallback)) on++;
      cursor = (cursor + iterations) & mask;
      return on;
    },
    async close() {
      client.destroy();
    },
    notes() {
      return [
        "new GrowthBookClient().initSync({ payload: { features } }), client.isOn(key, { attributes }) (the multi-user server API; a per-request createScopedInstance would add its creation)",
        `no client key, no streaming or polling; ${logged} log lines`,
      ];
    },
  };
}
