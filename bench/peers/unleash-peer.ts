import { once } from "node:events";
import { type Context, InMemStorageProvider, Unleash, type UnleashConfig } from "unleash-client";
// The constraint operator enum is not re-exported from the package root.
import { Operator } from "unleash-client/lib/strategy/strategy.js";
import { B_COUNTRIES, B_PLANS, B_ROLLOUT_PERCENT, FLAG_A, FLAG_B, type WorkloadUser } from "../workload";
import type { Peer } from "./peer";

/*
 * unleash-client evaluated offline through its public API: bootstrap data, no refresh
 * (refreshInterval 0 never fetches), an in-memory backup store, and by default no metrics; then
 * the URL is never contacted.
 */

type BootstrapFeatures = NonNullable<NonNullable<UnleashConfig["bootstrap"]>["data"]>;

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

export interface UnleashPeerOptions {
  /**
   * Unleash's default: count every `isEnabled` per toggle and report them. On, the client also
   * registers itself at start; that request goes to the unused loopback URL and fails.
   */
  metrics: boolean;
}

export async function createUnleashPeer(
  users: readonly WorkloadUser[],
  options: UnleashPeerOptions,
): Promise<Peer & { warnings(): number }> {
  // `new Unleash` rather than `startUnleash`, whose module-wide singleton refuses a second,
  // differently configured client in the same process; the wait is `startUnleash`'s.
  const unleash = new Unleash({
    appName: "switchyard-bench",
    url: "http://127.0.0.1:9/unused",
    refreshInterval: 0,
    disableMetrics: !options.metrics,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: features },
  });
  let warnings = 0;
  unleash.on("error", () => void warnings++);
  unleash.on("warn", () => void warnings++);
  if (!unleash.isSynchronized()) await once(unleash, "synchronized");
  const contexts: Context[] = users.map((user) => ({
    userId: user.key,
    properties: { country: user.country, plan: user.plan },
  }));
  const mask = contexts.length - 1;
  // One cursor for both flags: every call continues where the last one stopped.
  let cursor = 0;
  const fallback: Context = {};
  return {
    name: options.metrics ? "unleash-client (metrics on)" : "unleash-client",
    flagA(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++) if (unleash.isEnabled(FLAG_A, contexts[i & mask] ?? fallback)) on++;
      cursor = (cursor + iterations) & mask;
      return on;
    },
    flagB(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++) if (unleash.isEnabled(FLAG_B, contexts[i & mask] ?? fallback)) on++;
      cursor = (cursor + iterations) & mask;
      return on;
    },
    close() {
      unleash.destroy();
    },
    warnings: () => warnings,
  };
}

export function setupUnleash(users: readonly WorkloadUser[]): Promise<Peer> {
  return createUnleashPeer(users, { metrics: false });
}
