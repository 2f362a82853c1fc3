import { describe, expect, it } from "vitest";
import type { Condition, JsonPrimitive, Operator } from "../types";
import { compileCondition } from "./condition";

function holds(operator: Operator, values: JsonPrimitive[], attribute: unknown, negate = false): boolean {
  const condition: Condition = { attribute: "a", operator, values, negate };
  return compileCondition(condition)(attribute === undefined ? {} : { a: attribute });
}

describe("in", () => {
  it("is strict equality with any value", () => {
    expect(holds("in", ["x", 1, true], "x")).toBe(true);
    expect(holds("in", ["x", 1, true], 1)).toBe(true);
    expect(holds("in", ["x", 1, true], "1")).toBe(false);
    expect(holds("in", ["x", 1, true], false)).toBe(false);
  });

  it("behaves the same with many values (looked up in a Set)", () => {
    const values = Array.from({ length: 50 }, (_, i) => `v${i}`);
    expect(holds("in", [...values, 7], "v49")).toBe(true);
    expect(holds("in", [...values, 7], 7)).toBe(true);
    expect(holds("in", [...values, 7], "7")).toBe(false);
    expect(holds("in", values, Number.NaN)).toBe(false);
  });

  it("never matches null in the values against a missing attribute", () => {
    expect(holds("in", [null], null)).toBe(false);
    expect(holds("in", [null], undefined)).toBe(false);
  });
});

describe("string operators", () => {
  it.each([
    ["contains", "ell", "hello", true],
    ["contains", "xyz", "hello", false],
    ["startsWith", "he", "hello", true],
    ["startsWith", "lo", "hello", false],
    ["endsWith", "lo", "hello", true],
    ["endsWith", "He", "hello", false],
  ] as const)("%s %j on %j → %s", (operator, value, attribute, expected) => {
    expect(holds(operator, [value], attribute)).toBe(expected);
  });

  it("does not match non-strings, and a non-string value breaks the condition", () => {
    expect(holds("contains", ["1"], 1)).toBe(false);
    expect(holds("contains", [1], "1")).toBe(false);
    expect(holds("contains", [1], "1", true)).toBe(false);
  });
});

describe("matches", () => {
  it("searches with RE2 syntax", () => {
    expect(holds("matches", ["b+"], "abbbc")).toBe(true);
    expect(holds("matches", ["^b+$"], "abbbc")).toBe(false);
    expect(holds("matches", ["(?i)^HELLO$"], "hello")).toBe(true);
    expect(holds("matches", ["\\d{3}"], "ab123")).toBe(true);
  });

  it("never matches with a pattern RE2 rejects (even negated)", () => {
    expect(holds("matches", ["(?=lookahead)"], "lookahead")).toBe(false);
    expect(holds("matches", ["(?=lookahead)"], "lookahead", true)).toBe(false);
    expect(holds("matches", ["[unclosed"], "x", true)).toBe(false);
  });

  it("returns on a catastrophic-backtracking pattern and a long input", () => {
    const input = `${"a".repeat(100_000)}!`;
    expect(holds("matches", ["(a+)+$"], input)).toBe(false);
    expect(holds("matches", ["^(a|aa)+$"], input)).toBe(false);
    expect(holds("matches", ["(a+)+!"], input)).toBe(true);
  });
});

describe("numeric operators", () => {
  it.each([
    ["lt", 5, 4, true],
    ["lt", 5, 5, false],
    ["lte", 5, 5, true],
    ["lte", 5, 5.1, false],
    ["gt", 5, 6, true],
    ["gt", 5, 5, false],
    ["gte", 5, 5, true],
    ["gte", 5, -1, false],
  ] as const)("%s %d on %d → %s", (operator, value, attribute, expected) => {
    expect(holds(operator, [value], attribute)).toBe(expected);
  });

  it("holds when any value holds", () => {
    expect(holds("lt", [1, 10], 5)).toBe(true);
    expect(holds("gt", [1, 10], 5)).toBe(true);
    expect(holds("gte", [6, 10], 5)).toBe(false);
  });

  it("does not match strings, booleans or NaN", () => {
    expect(holds("lt", [5], "4")).toBe(false);
    expect(holds("lt", [5], true)).toBe(false);
    expect(holds("lt", [5], Number.NaN)).toBe(false);
    expect(holds("gt", [5], Number.POSITIVE_INFINITY)).toBe(true);
  });
});

describe("date operators", () => {
  const newYear = "2024-01-01T00:00:00Z";
  it("compares ISO-8601 strings and epoch milliseconds on both sides", () => {
    expect(holds("before", [newYear], "2023-12-31T23:59:59.999Z")).toBe(true);
    expect(holds("before", [newYear], Date.UTC(2023, 11, 31))).toBe(true);
    expect(holds("before", [Date.UTC(2024, 0, 1)], "2023-12-31")).toBe(true);
    expect(holds("after", [newYear], "2024-01-01T00:00:01+00:00")).toBe(true);
    expect(holds("after", [newYear], "2024-01-01T00:59:59+01:00")).toBe(false);
  });

  it("reads a time without an offset as UTC, whatever the host's zone", () => {
    expect(holds("before", [newYear], "2023-12-31T23:59")).toBe(true);
    expect(holds("after", [newYear], "2024-01-01T00:00:00.5")).toBe(true);
  });

  it("does not match non-dates, and an invalid value breaks the condition", () => {
    expect(holds("before", [newYear], "not a date")).toBe(false);
    expect(holds("before", [newYear], "2024-02-30")).toBe(false);
    expect(holds("before", [newYear], "01/02/2023")).toBe(false);
    expect(holds("before", ["soon"], "2020-01-01")).toBe(false);
    expect(holds("before", ["soon"], "2020-01-01", true)).toBe(false);
  });
});

describe("semver operators", () => {
  it.each([
    ["semverEq", "1.2.3", "1.2.3", true],
    ["semverEq", "1.2.0", "v1.2", true],
    ["semverEq", "1.2.3", "1.2.3+build.1", true],
    ["semverEq", "1.2.3", "1.2.3-rc.1", false],
    ["semverLt", "1.10.0", "1.9.0", true],
    ["semverLt", "1.0.0", "1.0.0-alpha", true],
    ["semverGt", "1.0.0-rc.1", "1.0.0", true],
    ["semverGt", "1.0.0-beta.2", "1.0.0-beta.11", true],
    ["semverGt", "1.0.0-alpha.1", "1.0.0-alpha.beta", true],
    ["semverGt", "1.0.0", "1.0.0", false],
  ] as const)("%s %s on %s → %s", (operator, value, attribute, expected) => {
    expect(holds(operator, [value], attribute)).toBe(expected);
  });

  it("does not match non-versions", () => {
    expect(holds("semverEq", ["1.0.0"], 1)).toBe(false);
    expect(holds("semverEq", ["1.0.0"], "1")).toBe(false);
    expect(holds("semverEq", ["1.0.0"], "1.0.0.0")).toBe(false);
    expect(holds("semverEq", ["1.0.0"], "1.0.0-")).toBe(false);
    expect(holds("semverEq", ["1.0.0"], "1.0.0-01")).toBe(false);
  });
});

describe("exists", () => {
  it("holds for any present, non-null value", () => {
    expect(holds("exists", [], 0)).toBe(true);
    expect(holds("exists", [], "")).toBe(true);
    expect(holds("exists", [], [])).toBe(true);
    expect(holds("exists", [], null)).toBe(false);
    expect(holds("exists", [], undefined)).toBe(false);
  });

  it("negated, holds exactly when the attribute is missing or null", () => {
    expect(holds("exists", [], undefined, true)).toBe(true);
    expect(holds("exists", [], null, true)).toBe(true);
    expect(holds("exists", [], "x", true)).toBe(false);
  });
});

describe("conditions", () => {
  it("never match a missing attribute, even negated (except exists)", () => {
    for (const operator of ["in", "contains", "lt", "before", "semverEq", "matches"] as const) {
      expect(holds(operator, ["x"], undefined, true)).toBe(false);
      expect(holds(operator, ["x"], null, true)).toBe(false);
    }
  });

  it("match an array attribute when any element matches, ignoring null elements", () => {
    expect(holds("gt", [10], [1, null, 11])).toBe(true);
    expect(holds("gt", [10], [1, null])).toBe(false);
    expect(holds("in", [null], [null])).toBe(false);
  });

  it("never match with an unknown operator", () => {
    // Parsed boundary: simulates unvalidated data reaching the engine.
    const condition = { attribute: "a", operator: "toString", values: ["x"] } as unknown as Condition;
    expect(compileCondition(condition)({ a: "x" })).toBe(false);
  });

  it("read only own attributes", () => {
    const condition: Condition = { attribute: "toString", operator: "exists", values: [] };
    expect(compileCondition(condition)({})).toBe(false);
    expect(compileCondition(condition)({ toString: "x" })).toBe(true);
  });
});
