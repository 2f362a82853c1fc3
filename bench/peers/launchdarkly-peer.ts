import { init, type LDContext, type LDLogger } from "@launchdarkly/node-server-sdk";
import { TestData } from "@launchdarkly/node-server-sdk/integrations";
import { B_COUNTRIES, B_PLANS, B_ROLLOUT_PERCENT, FLAG_A, FLAG_B, type WorkloadUser } from "../workload";
import type { SdkPeer, SdkPeerFactory } from "./peer";

/*
 * LaunchDarkly's Node server SDK with its flag data supplied locally: `TestData` replaces the
 * data source (the update processor), so nothing streams or polls. Flags are given as full
 * flag objects (`usePreconfiguredFlag`), since TestData's builder has no percentage rollouts.
 * Every service URI points at the discard port on loopback, so even a request we did not
 * expect could not leave the machine. `variation` returns a Promise: every call is awaited,
 * one after another.
 */

const OFFLINE_URI = "http://127.0.0.1:9";

function flag(key: string, fields: object): object {
  return {
    key,
    version: 1,
    on: true,
    variations: [true, false],
    offVariation: 1,
    targets: [],
    contextTargets: [],
    prerequisites: [],
    rules: [],
    salt: key,
    trackEvents: false,
    trackEventsFallthrough: false,
    clientSide: false,
    deleted: false,
    ...fields,
  };
}

const flagA = flag(FLAG_A, { fallthrough: { variation: 0 } });

const flagB = flag(FLAG_B, {
  rules: [
    {
      id: "countries-enterprise",
      clauses: [
        { contextKind: "user", attribute: "country", op: "in", values: [...B_COUNTRIES], negate: false },
        { contextKind: "user", attribute: "plan", op: "in", values: [...B_PLANS], negate: false },
      ],
      variation: 0,
      trackEvents: false,
    },
  ],
  fallthrough: {
    rollout: {
      contextKind: "user",
      bucketBy: "key",
      variations: [
        { variation: 0, weight: B_ROLLOUT_PERCENT * 1000 },
        { variation: 1, weight: (100 - B_ROLLOUT_PERCENT) * 1000 },
      ],
    },
  },
});

export interface LaunchDarklyPeerOptions {
  /**
   * LaunchDarkly's default is `true`: every evaluation is summarised (and each new context
   * indexed) for analytics events. On, the events go to the loopback URI and fail.
   */
  sendEvents: boolean;
}

export function launchDarklyPeer(options: LaunchDarklyPeerOptions): SdkPeerFactory {
  return async (users: readonly WorkloadUser[]): Promise<SdkPeer> => {
    let logged = 0;
    const countingLogger: LDLogger = {
      error: () => void logged++,
      warn: () => void logged++,
      info: () => {},
      debug: () => {},
    };
    const td = new TestData();
    await td.usePreconfiguredFlag(flagA);
    await td.usePreconfiguredFlag(flagB);
    const client = init("sdk-bench-unused", {
      updateProcessor: td.getFactory(),
      baseUri: OFFLINE_URI,
      streamUri: OFFLINE_URI,
      eventsUri: OFFLINE_URI,
      sendEvents: options.sendEvents,
      diagnosticOptOut: true,
      logger: countingLogger,
    });
    await client.waitForInitialization({ timeout: 5 });
    const contexts: LDContext[] = users.map((user) => ({ kind: "user", key: user.key, country: user.country, plan: user.plan }));
    const check = await client.variationDetail(FLAG_B, contexts[0] ?? { kind: "user", key: "check" }, false);
    if (check.reason.kind === "ERROR") throw new Error(`LaunchDarkly: ${check.reason.errorKind ?? "error"}`);
    const mask = contexts.length - 1;
    // One cursor for both flags: every call continues where the last one stopped.
    let cursor = 0;
    const fallback: LDContext = { kind: "user", key: "fallback" };
    return {
      name: options.sendEvents ? "@launchdarkly/node-server-sdk (events on)" : "@launchdarkly/node-server-sdk",
      async flagA(iterations) {
        let on = 0;
        for (let i = cursor, end = cursor + iterations; i < end; i++)
          if ((await client.variation(FLAG_A, contexts[i & mask] ?? fallback, false)) === true) on++;
        cursor = (cursor + iterations) & mask;
        return on;
      },
      async flagB(iterations) {
        let on = 0;
        for (let i = cursor, end = cursor + iterations; i < end; i++)
          if ((await client.variation(FLAG_B, contexts[i & mask] ?? fallback, false)) === true) on++;
        cursor = (cursor + iterations) & mask;
        return on;
      },
      async close() {
        if (options.sendEvents) await client.flush().catch(() => {});
        client.close();
      },
      notes() {
        return [
          `init(key, { updateProcessor: TestData, sendEvents: ${options.sendEvents}, diagnosticOptOut: true, *Uri: "${OFFLINE_URI}" }), await client.variation(key, { kind: "user", key, country, plan }, false) (async: each call awaited)`,
          `${logged} log lines swallowed`,
        ];
      },
    };
  };
}
