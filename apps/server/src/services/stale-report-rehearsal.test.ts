import { describe, expect, it } from "vitest";
import { at, codesAt, flag, history, on, reasonAt, type World } from "./stale-report-fixtures";

const KILL = "kill-payments";
const GUARDED = "new-checkout";

const world = (rehearsals: World["rehearsals"] = { passed: [], guarded: [] }): World => ({
  flags: [flag(KILL, { kind: "kill-switch" }), flag(GUARDED, { permanent: true })],
  configHistory: [...history(KILL, []), ...history(GUARDED, [[0, "production", on({ rollout: { weights: [50_000, 50_000] } })]])],
  rehearsals,
});

describe("KILL_SWITCH_NOT_REHEARSED", () => {
  it("is claimed for a kill switch from its creation until a rehearsal passes, with the evidence", () => {
    expect(reasonAt(world(), at(1), KILL, "KILL_SWITCH_NOT_REHEARSED")).toEqual({
      code: "KILL_SWITCH_NOT_REHEARSED",
      since: "2026-01-01T00:00:00.000Z",
      summary: "A kill switch whose rollback was never rehearsed",
      facts: { days: 30, killSwitch: true, guardedBy: [], lastRehearsal: null },
      suggestion: "Rehearse turning it off where SDKs run: switchyard rehearse --env staging --flag kill-payments",
    });
  });

  it("names a flag a real guarded deploy relies on, since that deploy", () => {
    expect(codesAt(world(), at(40))).toEqual({ [KILL]: ["KILL_SWITCH_NOT_REHEARSED"] });
    const guarded = world({ passed: [], guarded: [{ flag: GUARDED, environment: "production", firstDeployAt: at(10) }] });
    expect(reasonAt(guarded, at(40), GUARDED, "KILL_SWITCH_NOT_REHEARSED")).toMatchObject({
      since: "2026-01-11T00:00:00.000Z",
      summary: "A flag guarded by deploys in production whose rollback was never rehearsed",
      facts: { guardedBy: [{ environment: "production", firstDeployAt: "2026-01-11T00:00:00.000Z" }] },
    });
  });

  it("disappears after a passed rehearsal and comes back when it is older than the threshold", () => {
    const rehearsed = world({ passed: [{ flag: KILL, environment: "staging", at: at(50) }], guarded: [] });
    expect(codesAt(rehearsed, at(50))).toEqual({});
    expect(codesAt(rehearsed, new Date(at(80).getTime() - 1))).toEqual({});
    expect(reasonAt(rehearsed, at(81), KILL, "KILL_SWITCH_NOT_REHEARSED")).toMatchObject({
      since: "2026-03-22T00:00:00.000Z",
      summary: "A kill switch last rehearsed 2026-02-20 in staging, 31 days ago",
      facts: { lastRehearsal: { environment: "staging", at: "2026-02-20T00:00:00.000Z" } },
    });
  });

  it("takes its threshold from the report's thresholds", () => {
    const thresholds = { notEvaluatedDays: 14, fullyRolledOutDays: 7, disabledDays: 30, notRehearsedDays: 7 };
    const rehearsed = world({ passed: [{ flag: KILL, environment: "staging", at: at(50) }], guarded: [] });
    expect(codesAt(rehearsed, new Date(at(57).getTime() - 1), thresholds)).toEqual({});
    expect(codesAt(rehearsed, at(57), thresholds)).toEqual({ [KILL]: ["KILL_SWITCH_NOT_REHEARSED"] });
  });
});
