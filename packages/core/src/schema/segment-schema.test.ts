import { describe, expect, it } from "vitest";
import { segmentInputSchema } from "./segment-schema";

describe("segmentInputSchema", () => {
  it("fills empty lists", () => {
    expect(segmentInputSchema.parse({ key: "beta", name: "Beta testers" })).toEqual({
      key: "beta",
      name: "Beta testers",
      included: [],
      excluded: [],
      rules: [],
    });
  });

  it("rejects a key both included and excluded, at the excluded entry", () => {
    const result = segmentInputSchema.safeParse({ key: "beta", name: "Beta", included: ["ann", "bob"], excluded: ["cid", "bob"] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: ["excluded", 1], message: '"bob" is also included; a key may be included or excluded, not both' },
    ]);
  });

  it("checks rules: conditions required, ids unique", () => {
    const result = segmentInputSchema.safeParse({
      key: "beta",
      name: "Beta",
      rules: [
        { id: "r", conditions: [{ attribute: "email", operator: "endsWith", values: ["@corp.com"] }] },
        { id: "r", conditions: [{ attribute: "email", operator: "endsWith", values: ["@corp.io"] }] },
        { conditions: [] },
      ],
    });
    expect(result.error?.issues.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: ["rules", 2, "conditions"], message: "a segment rule needs at least one condition" },
      { path: ["rules", 1, "id"], message: 'duplicate rule id "r" (also rules[0])' },
    ]);
  });

  it("is strict and validates the key", () => {
    const result = segmentInputSchema.safeParse({ key: "Beta Testers", name: "", members: [] });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([["key"], ["name"], []]);
  });
});
