import type { EvaluationContext, FlagDefinition, Segment } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { evaluatedFragments } from "../../services/client-evaluation";
import type { Change } from "../../store/changes";
import { buildView, patchView, type EnvironmentView } from "../environment-view";
import { affectedFlags, clientValuesPatch, clientValuesPut, type ClientValues } from "./client-events";

/** A small deterministic generator, so a failure replays. */
function random(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(state / 65_536) % n;
  };
}

const FLAGS = 12;
const SEGMENTS = ["beta", "staff", "eu"];
const key = (i: number) => `flag-${i}`;

function makeFlag(pick: (n: number) => number, i: number): FlagDefinition {
  const rules: FlagDefinition["rules"] = [];
  if (pick(2) === 0)
    rules.push({ id: `s-${i}`, conditions: [], segments: [SEGMENTS[pick(SEGMENTS.length)] ?? "beta"], serve: { variation: 0 } });
  if (pick(2) === 0)
    rules.push({ id: `c-${i}`, conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variation: 1 } });
  // Prerequisites only on lower-numbered flags: chains, never cycles.
  const prerequisites = i > 0 && pick(3) === 0 ? [{ flag: key(pick(i)), variation: 0 }] : [];
  return {
    key: key(i),
    version: 1,
    enabled: pick(4) !== 0,
    variations: ["a", "b", "c"],
    offVariation: 2,
    fallthrough: pick(2) === 0 ? { variation: 1 } : { rollout: { weights: [50_000, 50_000, 0] } },
    rules,
    prerequisites,
  };
}

function makeSegment(pick: (n: number) => number, name: string): Segment {
  return { key: name, included: Array.from({ length: 3 }, () => `user-${pick(10)}`), excluded: [], rules: [], version: 1 };
}

const sorted = (values: ClientValues) => [...values.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

describe("client stream values after a change", () => {
  it("evaluates only the affected flags and still sends exactly what evaluating every flag would", () => {
    const pick = random(7);
    const contexts: EvaluationContext[] = Array.from({ length: 10 }, (_, i) => ({ key: `user-${i}`, plan: i % 3 === 0 ? "pro" : "free" }));
    let view: EnvironmentView = buildView(
      "production",
      1,
      "0123456789ab",
      Array.from({ length: FLAGS }, (_, i) => makeFlag(pick, i)),
      SEGMENTS.map((name) => makeSegment(pick, name)),
    );
    let held = contexts.map((context) => clientValuesPut(view, context).values);
    let evaluatedLess = 0;
    for (let step = 2; step < 300; step++) {
      // One to three changes a step: flags redefined or deleted (and made again later), segments redefined.
      const changes: Change[] = [];
      const flagKeys = new Set<string>();
      const segmentKeys = new Set<string>();
      for (let n = 0; n <= pick(3); n++) {
        if (pick(3) === 0) {
          const name = SEGMENTS[pick(SEGMENTS.length)] ?? "beta";
          segmentKeys.add(name);
          changes.push({ seq: step, environmentKey: null, entity: "segment", key: name, deleted: false });
        } else {
          const i = pick(FLAGS);
          flagKeys.add(key(i));
          changes.push({ seq: step, environmentKey: "production", entity: "flag-config", key: key(i), deleted: false });
        }
      }
      const flags = [...flagKeys].flatMap((k) => (pick(8) === 0 ? [] : [makeFlag(pick, Number(k.slice(5)))]));
      const segments = [...segmentKeys].map((name) => makeSegment(pick, name));
      view = patchView(view, step, { flagKeys, flags, segmentKeys, segments });
      const affected = affectedFlags(view, changes);
      evaluatedLess += FLAGS - affected.size;
      held = contexts.map((context, i) => {
        const before = held[i] ?? new Map();
        const patch = clientValuesPatch(view, context, before, affected);
        const after = patch?.values ?? before;
        expect(sorted(after)).toEqual(sorted(evaluatedFragments(view.engine, context)));
        return after;
      });
    }
    // Not a vacuous pass: most steps evaluated fewer flags than all of them.
    expect(evaluatedLess).toBeGreaterThan(298 * FLAGS * 0.3);
  });
});
