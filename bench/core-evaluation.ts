import { type FlagDefinition, compile } from "@switchyard/core";
import type { BenchSuite } from "./bench-suite";
import { type BenchCase, heapDelta, measure, printTable, timeMs } from "./harness";
import { createFlagdCore, flagdConfiguration, flagdFlagB, setupFlagdCore } from "./peers/flagd-core-peer";
import type { Peer, PeerFactory } from "./peers/peer";
import { setupSwitchyard, switchyardFlagB } from "./peers/switchyard-peer";
import { setupUnleash } from "./peers/unleash-peer";
import { B_COUNTRIES, generateUsers } from "./workload";

/*
 * Local evaluation cost, Switchyard core next to @openfeature/flagd-core and unleash-client on
 * the same contexts (see workload.ts), then the cost of compiling 1,000 flag-B-like flags.
 */

const USER_COUNT = 1 << 16;
const COMPILED_FLAGS = 1_000;
const PEERS: readonly PeerFactory[] = [setupSwitchyard, setupFlagdCore, setupUnleash];

function format(ns: number): string {
  return ns < 100 ? ns.toFixed(1) : ns.toFixed(0);
}

function ratio(ns: number, baseline: number): string {
  return `${(ns / baseline).toFixed(1)}x`;
}

function rotatedCountries(index: number): string[] {
  return B_COUNTRIES.map((_, offset) => B_COUNTRIES[(index + offset) % B_COUNTRIES.length] ?? "US").map((country, offset) =>
    offset === 0 ? `${country}${index % 7}` : country,
  );
}

async function evaluationTable(): Promise<void> {
  const users = generateUsers(USER_COUNT);
  const peers: Peer[] = [];
  for (const setup of PEERS) peers.push(await setup(users));
  const shares = peers.map((peer) => peer.flagB(USER_COUNT) / USER_COUNT);
  const cases: BenchCase[] = peers.flatMap((peer) => [
    { name: `${peer.name} A`, run: (n: number) => peer.flagA(n) },
    { name: `${peer.name} B`, run: (n: number) => peer.flagB(n) },
  ]);
  const results = measure(cases);
  const nsOf = (name: string) => results.find((result) => result.name === name)?.nsPerOp ?? Number.NaN;
  const baseA = nsOf(`${peers[0]?.name} A`);
  const baseB = nsOf(`${peers[0]?.name} B`);
  console.log(`Evaluation, ns/op (median of ${results[0]?.rounds.length} rounds; key varies every call over ${USER_COUNT} contexts)`);
  console.log("A: on for everyone. B: country in [10] and plan in [enterprise] → on, else 25 % rollout on key.\n");
  printTable([
    ["library", "A ns/op", "A vs core", "B ns/op", "B vs core", "B served on"],
    ...peers.map((peer, index) => {
      const a = nsOf(`${peer.name} A`);
      const b = nsOf(`${peer.name} B`);
      return [peer.name, format(a), ratio(a, baseA), format(b), ratio(b, baseB), `${((shares[index] ?? 0) * 100).toFixed(1)} %`];
    }),
  ]);
  for (const peer of peers) peer.close();
}

function compileTable(): void {
  const flags: FlagDefinition[] = Array.from({ length: COMPILED_FLAGS }, (_, index) =>
    switchyardFlagB(`flag-b-${index}`, rotatedCountries(index)),
  );
  const snapshot = { flags, segments: [] };
  const flagdJson = flagdConfiguration(Object.fromEntries(flags.map((flag, index) => [flag.key, flagdFlagB(rotatedCountries(index))])));
  const switchyardMs = timeMs(() => compile(snapshot), 30);
  const switchyardHeap = heapDelta(() => compile(snapshot));
  const flagdMs = timeMs(() => createFlagdCore().setConfigurations(flagdJson), 30);
  const flagdHeap = heapDelta(() => {
    const core = createFlagdCore();
    core.setConfigurations(flagdJson);
    return core;
  });
  console.log(`\nCompiling ${COMPILED_FLAGS} flag-B-like flags (median of 30 runs; heap kept alive after full GC)\n`);
  printTable([
    ["library", "time ms", "heap KiB", "note"],
    ["@switchyard/core compile()", switchyardMs.toFixed(2), (switchyardHeap.bytes / 1024).toFixed(0), "from objects"],
    [
      "@openfeature/flagd-core setConfigurations()",
      flagdMs.toFixed(2),
      (flagdHeap.bytes / 1024).toFixed(0),
      "from a JSON string (parse + schema check)",
    ],
  ]);
  if (switchyardHeap.keep === undefined || flagdHeap.keep === undefined) console.log("(nothing kept)");
  console.log("\nTargets for @switchyard/core: A <= 25 ns, B <= 150 ns, compiling 1,000 B-like flags <= 5 ms.");
}

export const coreEvaluationBench: BenchSuite = {
  name: "core-evaluation",
  description: "local flag evaluation and compile cost: Switchyard core vs flagd-core vs unleash-client",
  async run() {
    await evaluationTable();
    compileTable();
  },
};
