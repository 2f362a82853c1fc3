import type { FlagDefinition } from "@switchyard/core";
import { affectedFlags, clientValuesPatch, clientValuesPut } from "../apps/server/src/live/events/client-events";
import { buildView, patchView } from "../apps/server/src/live/environment-view";
import type { Change } from "../apps/server/src/store/changes";
import type { BenchSuite } from "./bench-suite";
import { printTable } from "./harness";

const SIZES = (process.env.ENVIRONMENT_FLAGS ?? "100,1000,10000").split(",").map(Number);
const TOGGLES = 41;
/** Browser streams open on the environment, each with its own context. */
const CLIENT_STREAMS = 1_000;
const CLIENT_TOGGLES = 5;

/** A flag as the SDKs receive it: two variations with names, one targeting rule, a rollout. */
function flag(i: number, enabled = true): FlagDefinition {
  return {
    key: `flag-${String(i).padStart(5, "0")}`,
    version: 1,
    enabled,
    variations: [true, false],
    variationNames: ["on", "off"],
    offVariation: 1,
    fallthrough: { rollout: { weights: [25_000, 75_000] } },
    rules: [{ id: `r-${i}`, conditions: [{ attribute: "country", operator: "in", values: ["NL", "DE", "FR"] }], serve: { variation: 0 } }],
    metadata: { owner: "team-checkout" },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function run(): Promise<void> {
  const rows: string[][] = [];
  for (const size of SIZES) {
    let view = buildView(
      "production",
      1,
      "0123456789ab",
      Array.from({ length: size }, (_, i) => flag(i)),
      [],
    );
    const patch: number[] = [];
    const body: number[] = [];
    for (let toggle = 0; toggle < TOGGLES; toggle++) {
      const changed = flag(Math.floor(size / 2), toggle % 2 === 1);
      const started = performance.now();
      view = patchView(view, toggle + 2, { flagKeys: new Set([changed.key]), flags: [changed], segmentKeys: new Set(), segments: [] });
      const patched = performance.now();
      const bytes = view.sdkBody.length;
      body.push(performance.now() - patched);
      patch.push(patched - started);
      if (bytes === 0) throw new Error("empty payload");
    }
    // Client streams: each holds its context's values; a toggle sends each the values that changed.
    const contexts = Array.from({ length: CLIENT_STREAMS }, (_, i) => ({ key: `user-${i}`, country: i % 2 === 0 ? "NL" : "US" }));
    let held = contexts.map((context) => clientValuesPut(view, context).values);
    const clients = { all: [] as number[], affected: [] as number[] };
    for (let toggle = 0; toggle < 2 * CLIENT_TOGGLES; toggle++) {
      const changed = flag(Math.floor(size / 3), toggle % 2 === 1);
      view = patchView(view, TOGGLES + toggle + 2, {
        flagKeys: new Set([changed.key]),
        flags: [changed],
        segmentKeys: new Set(),
        segments: [],
      });
      const changes: Change[] = [
        { seq: view.version, environmentKey: "production", entity: "flag-config", key: changed.key, deleted: false },
      ];
      // Alternately: every flag evaluated again for each stream (as before), and only the affected ones.
      const onlyAffected = toggle % 2 === 1;
      const started = performance.now();
      const affected = onlyAffected ? affectedFlags(view, changes) : undefined;
      held = contexts.map((context, i) => {
        const before = held[i] ?? new Map();
        return clientValuesPatch(view, context, before, affected)?.values ?? before;
      });
      (onlyAffected ? clients.affected : clients.all).push(performance.now() - started);
    }
    rows.push([
      size.toLocaleString("en"),
      `${median(patch).toFixed(2)} ms`,
      `${median(body).toFixed(2)} ms`,
      `${(view.sdkBody.length / 1024).toFixed(0)} KB`,
      `${median(clients.all).toFixed(1)} ms`,
      `${median(clients.affected).toFixed(1)} ms`,
    ]);
  }
  printTable([
    [
      "flags in the environment",
      "one flag toggled: view patched",
      "full payload, written on first read",
      "payload",
      `${CLIENT_STREAMS.toLocaleString("en")} client streams: every flag evaluated again`,
      "only the affected flags",
    ],
    ...rows,
  ]);
  console.log(
    `\nMedians of ${TOGGLES} toggles. The patch is on every toggle's path from commit to the streams; the full payload (the ` +
      "`put` and `GET /api/sdk/flags` body) is written when a new stream or a fetch first asks for it — before, every change wrote it, " +
      "so a toggle paid both columns. Client streams: the time to work out what each of them is sent, medians of " +
      `${CLIENT_TOGGLES} toggles each way (every flag for every stream was the baseline; the affected flags are the changed ones, ` +
      "those using a changed segment, and their dependents by prerequisite).",
  );
}

export const environmentSizeBench: BenchSuite = {
  name: "environment-size",
  description:
    "what one toggle costs the server's in-memory view of an environment of 100 to 10,000 flags (baseline: the full payload each change used to write)",
  run,
};
