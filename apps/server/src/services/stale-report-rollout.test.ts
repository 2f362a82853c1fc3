import { describe, expect, it } from "vitest";
import { at, codesAt, flag, history, off, on, reasonAt, rule, type World } from "./stale-report-fixtures";

// Permanent flags, so that lifetime does not add its own reason to these cases.
const world = (writes: Parameters<typeof history>[1], fields = {}): World => ({
  flags: [flag("new-checkout", { permanent: true, ...fields })],
  configHistory: history("new-checkout", writes),
});

describe("FULLY_ROLLED_OUT", () => {
  const rolledOut = world([
    [2, "production", on({ variation: 0 })],
    [3, "staging", on({ variation: 0 })],
  ]);

  it("appears 7 days after every environment where it is on came to serve one variation, naming the value to hard-code", () => {
    expect(codesAt(rolledOut, new Date(at(9).getTime() - 1))).toEqual({});
    expect(reasonAt(rolledOut, at(12), "new-checkout", "FULLY_ROLLED_OUT")).toEqual({
      code: "FULLY_ROLLED_OUT",
      since: "2026-01-03T00:00:00.000Z",
      summary: "Serves `true` to everyone in production, staging (off in development) since 2026-01-03",
      facts: { days: 7, variation: 0, value: true, environments: ["production", "staging"], offEnvironments: ["development"] },
      suggestion: "Replace with `true` and remove the flag",
    });
  });

  it("disappears when a rule that can serve another variation is added, and restarts its clock when it goes", () => {
    const withRule = world([
      [2, "production", on({ variation: 0 })],
      [20, "production", on({ variation: 0 }, [rule("internal", { variation: 1 })])],
      [21, "production", on({ variation: 0 })],
    ]);
    expect(codesAt(withRule, at(19))).toEqual({ "new-checkout": ["FULLY_ROLLED_OUT"] });
    expect(codesAt(withRule, at(20, 12))).toEqual({});
    expect(codesAt(withRule, new Date(at(28).getTime() - 1))).toEqual({});
    expect(reasonAt(withRule, at(28), "new-checkout", "FULLY_ROLLED_OUT")?.since).toBe("2026-01-22T00:00:00.000Z");
  });

  it("keeps its clock through edits that serve the same single variation", () => {
    const edited = world([
      [2, "production", on({ variation: 0 })],
      [5, "production", on({ variation: 0 }, [rule("beta", { variation: 0 })])],
    ]);
    expect(reasonAt(edited, at(9), "new-checkout", "FULLY_ROLLED_OUT")?.since).toBe("2026-01-03T00:00:00.000Z");
  });

  it("counts a rollout with one non-zero weight as one variation, and a real split as two", () => {
    expect(codesAt(world([[2, "production", on({ rollout: { weights: [100_000, 0] } })]]), at(9))).toEqual({
      "new-checkout": ["FULLY_ROLLED_OUT"],
    });
    expect(codesAt(world([[2, "production", on({ rollout: { weights: [99_000, 1_000] } })]]), at(90))).toEqual({});
  });

  it("ignores rules behind a rule that matches every context", () => {
    const catchAll = world([
      [2, "production", on({ variation: 1 }, [rule("everyone", { variation: 0 }, []), rule("never-reached", { variation: 1 })])],
    ]);
    expect(reasonAt(catchAll, at(9), "new-checkout", "FULLY_ROLLED_OUT")?.suggestion).toBe("Replace with `true` and remove the flag");
  });

  it("is not claimed when environments serve different values, or a prerequisite can turn it off", () => {
    expect(
      codesAt(
        world([
          [2, "production", on({ variation: 0 })],
          [2, "staging", on({ variation: 1 })],
        ]),
        at(90),
      ),
    ).toEqual({});
    const gated = { ...on({ variation: 0 }), prerequisites: [{ flag: "payments-v2", variation: 0 }] };
    expect(codesAt(world([[2, "production", gated]]), at(90))).toEqual({});
  });

  it("names a multivariate value the way code writes it", () => {
    const ranking = world([[1, "production", on({ variation: 1 }, [], 0)]], { variations: ["classic", "semantic"] });
    expect(reasonAt(ranking, at(8), "new-checkout", "FULLY_ROLLED_OUT")?.suggestion).toBe('Replace with `"semantic"` and remove the flag');
  });
});

describe("DISABLED_EVERYWHERE", () => {
  it("appears 30 days after the last environment was turned off", () => {
    const neverOn = world([]);
    expect(codesAt(neverOn, new Date(at(30).getTime() - 1))).toEqual({});
    expect(reasonAt(neverOn, at(30), "new-checkout", "DISABLED_EVERYWHERE")).toEqual({
      code: "DISABLED_EVERYWHERE",
      since: "2026-01-01T00:00:00.000Z",
      summary: "Off in all 3 environments since 2026-01-01 (serves `false`)",
      facts: { days: 30, environments: ["development", "production", "staging"], value: false },
      suggestion: "Replace with `false` and remove the flag (the code behind it never runs)",
    });
  });

  it("disappears when it is turned on anywhere, and counts again from when it was turned off", () => {
    const toggled = world([
      [31, "staging", on({ variation: 0 })],
      [32, "staging", off()],
    ]);
    expect(codesAt(toggled, at(30, 12))).toEqual({ "new-checkout": ["DISABLED_EVERYWHERE"] });
    expect(codesAt(toggled, at(31, 12))).toEqual({});
    expect(codesAt(toggled, new Date(at(62).getTime() - 1))).toEqual({});
    expect(reasonAt(toggled, at(62), "new-checkout", "DISABLED_EVERYWHERE")?.since).toBe("2026-02-02T00:00:00.000Z");
  });

  it("does not name a value when environments are off on different variations", () => {
    const mixed = world([[1, "staging", off(0)]]);
    expect(reasonAt(mixed, at(40), "new-checkout", "DISABLED_EVERYWHERE")).toMatchObject({
      summary: "Off in all 3 environments since 2026-01-01",
      facts: { value: null },
      suggestion: "Remove the code behind it and archive the flag",
    });
  });

  it("takes its threshold from the report's thresholds", () => {
    expect(codesAt(world([]), at(2), { notEvaluatedDays: 14, fullyRolledOutDays: 7, disabledDays: 2, notRehearsedDays: 30 })).toEqual({
      "new-checkout": ["DISABLED_EVERYWHERE"],
    });
  });
});

describe("kill switches", () => {
  it("are never reported for serving one value everywhere: that is their steady state", () => {
    // Only their rollback path is debt when it goes unrehearsed (KILL_SWITCH_NOT_REHEARSED).
    const unrehearsed = { "new-checkout": ["KILL_SWITCH_NOT_REHEARSED"] };
    expect(codesAt(world([], { kind: "kill-switch" }), at(400))).toEqual(unrehearsed);
    expect(codesAt(world([[1, "production", on({ variation: 0 })]], { kind: "kill-switch" }), at(400))).toEqual(unrehearsed);
    expect(codesAt(world([[1, "production", on({ variation: 0 })]], { kind: "permission" }), at(400))).toEqual({
      "new-checkout": ["FULLY_ROLLED_OUT"],
    });
  });
});
