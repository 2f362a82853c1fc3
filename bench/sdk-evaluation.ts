import type { BenchSuite } from "./bench-suite";
import { type AsyncBenchCase, measureAsync, printTable } from "./harness";
import { setupFlagdCore } from "./peers/flagd-core-peer";
import { setupFlagdProvider } from "./peers/flagd-provider-peer";
import { setupGrowthBook } from "./peers/growthbook-peer";
import { launchDarklyPeer } from "./peers/launchdarkly-peer";
import type { Peer, SdkPeer, SdkPeerFactory } from "./peers/peer";
import { switchyardSdkPeer } from "./peers/switchyard-sdk-peer";
import { createUnleashPeer } from "./peers/unleash-peer";
import { generateUsers, type WorkloadUser } from "./workload";

/*
 * What an application pays per flag check through each vendor's Node SDK, all running
 * offline from locally supplied flag data, on the contexts of workload.ts (flag A on for
 * everyone; flag B: country in [10] and plan in [enterprise], else a 25 % rollout on the key,
 * which changes every call). Switchyard's SDK is measured as users get it (usage metrics on,
 * the default) and with `sendMetrics: false`; unleash-client and LaunchDarkly likewise with
 * their usage counting off and on. flagd-core alone is a reference row: an engine, not an SDK.
 */

const USER_COUNT = 1 << 16;
const TARGET_A_NS = 25;
const TARGET_B_NS = 150;

interface Contender {
  setup: SdkPeerFactory;
  /** What kind of thing it is: Switchyard's SDK, another vendor's SDK, or a bare engine. */
  kind: "switchyard" | "sdk" | "engine";
}

/** A synchronous `Peer` of the core bench, as an `SdkPeer`. */
function fromPeer(peer: Peer, notes: () => string[]): SdkPeer {
  return {
    name: peer.name,
    flagA: (iterations) => peer.flagA(iterations),
    flagB: (iterations) => peer.flagB(iterations),
    async close() {
      peer.close();
    },
    notes,
  };
}

function unleash(metrics: boolean): SdkPeerFactory {
  return async (users: readonly WorkloadUser[]) => {
    const peer = await createUnleashPeer(users, { metrics });
    return fromPeer(peer, () => [
      `new Unleash({ bootstrap, refreshInterval: 0, disableMetrics: ${!metrics}, url: loopback }), unleash.isEnabled(key, { userId, properties })`,
      `${peer.warnings()} warn/error events swallowed${metrics ? " (the start-up registration to the loopback URL fails)" : ""}`,
    ]);
  };
}

async function flagdCore(users: readonly WorkloadUser[]): Promise<SdkPeer> {
  const peer = await setupFlagdCore(users);
  return fromPeer({ ...peer, name: "@openfeature/flagd-core (engine only)" }, () => [
    "FlagdCore.setConfigurations(json), core.resolveBooleanEvaluation(key, false, context, logger): the engine under the flagd provider, with no SDK around it (reference)",
  ]);
}

const CONTENDERS: readonly Contender[] = [
  { setup: switchyardSdkPeer({ sendMetrics: true }), kind: "switchyard" },
  { setup: switchyardSdkPeer({ sendMetrics: false }), kind: "switchyard" },
  { setup: unleash(false), kind: "sdk" },
  { setup: unleash(true), kind: "sdk" },
  { setup: setupFlagdProvider, kind: "sdk" },
  { setup: setupGrowthBook, kind: "sdk" },
  { setup: launchDarklyPeer({ sendEvents: false }), kind: "sdk" },
  { setup: launchDarklyPeer({ sendEvents: true }), kind: "sdk" },
  { setup: flagdCore, kind: "engine" },
];

function format(ns: number): string {
  return ns < 100 ? ns.toFixed(1) : ns.toFixed(0);
}

function ratio(ns: number, baseline: number): string {
  const value = ns / baseline;
  return `${value >= 10 ? value.toFixed(0) : value.toPrecision(2)}x`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

async function sdkEvaluationTable(): Promise<void> {
  const users = generateUsers(USER_COUNT);
  const peers: SdkPeer[] = [];
  for (const contender of CONTENDERS) peers.push(await contender.setup(users));
  const sharesA: number[] = [];
  const sharesB: number[] = [];
  for (const peer of peers) {
    sharesA.push((await peer.flagA(USER_COUNT)) / USER_COUNT);
    sharesB.push((await peer.flagB(USER_COUNT)) / USER_COUNT);
  }
  const cases: AsyncBenchCase[] = peers.flatMap((peer) => [
    { name: `${peer.name} A`, run: (n: number) => peer.flagA(n) },
    { name: `${peer.name} B`, run: (n: number) => peer.flagB(n) },
  ]);
  const results = await measureAsync(cases);
  for (const peer of peers) await peer.close();

  const nsOf = (peer: SdkPeer | undefined, flag: "A" | "B") =>
    results.find((result) => result.name === `${peer?.name} ${flag}`)?.nsPerOp ?? Number.NaN;
  const baseline = peers[0];
  const baseA = nsOf(baseline, "A");
  const baseB = nsOf(baseline, "B");
  console.log(`SDK evaluation, ns/op (median of ${results[0]?.rounds.length} rounds; key varies every call over ${USER_COUNT} contexts)`);
  console.log("A: on for everyone. B: country in [10] and plan in [enterprise] → on, else 25 % rollout on key.");
  console.log(`Ratios are to the first row, ${baseline?.name}. Async APIs (OpenFeature, LaunchDarkly) await each call in the loop.\n`);
  printTable([
    ["library", "A ns/op", "A vs SDK", "B ns/op", "B vs SDK", "A on", "B on"],
    ...peers.map((peer, index) => {
      const a = nsOf(peer, "A");
      const b = nsOf(peer, "B");
      return [
        peer.name,
        format(a),
        ratio(a, baseA),
        format(b),
        ratio(b, baseB),
        percent(sharesA[index] ?? 0),
        percent(sharesB[index] ?? 0),
      ];
    }),
  ]);

  console.log("\nHow each was set up (every URL given to an SDK is port 9 on loopback; none has a server to reach):");
  for (const peer of peers) {
    console.log(`- ${peer.name}`);
    for (const note of peer.notes()) console.log(`    ${note}`);
  }

  const sdkPeers = peers.filter((_, index) => CONTENDERS[index]?.kind === "sdk");
  const fastest = (flag: "A" | "B") =>
    sdkPeers.reduce<{ ns: number; name: string }>(
      (best, peer) => (nsOf(peer, flag) < best.ns ? { ns: nsOf(peer, flag), name: peer.name } : best),
      { ns: Number.POSITIVE_INFINITY, name: "none" },
    );
  const fastestA = fastest("A");
  const fastestB = fastest("B");
  console.log(
    `\nFastest other SDK measured in this run: A ${format(fastestA.ns)} ns (${fastestA.name}), B ${format(fastestB.ns)} ns (${fastestB.name}).`,
  );
  console.log(`Targets for @switchyard/sdk-node isEnabled: A <= ${TARGET_A_NS} ns, B <= ${TARGET_B_NS} ns.`);
  peers.forEach((peer, index) => {
    if (CONTENDERS[index]?.kind !== "switchyard") return;
    const a = nsOf(peer, "A");
    const b = nsOf(peer, "B");
    const verdict = (ns: number, target: number) => (ns <= target ? "met" : "missed");
    console.log(`  ${peer.name}: A ${format(a)} ns (${verdict(a, TARGET_A_NS)}), B ${format(b)} ns (${verdict(b, TARGET_B_NS)})`);
  });
}

export const sdkEvaluationBench: BenchSuite = {
  name: "sdk-evaluation",
  description:
    "Node SDK isEnabled for flags A and B next to unleash-client, OpenFeature + flagd (in-process), GrowthBook and LaunchDarkly, all offline from local flag data; targets A <= 25 ns, B <= 150 ns",
  async run() {
    await sdkEvaluationTable();
  },
};
