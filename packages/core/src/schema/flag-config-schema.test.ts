import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { conditionSchema } from "./condition-schema";
import { flagConfigInputSchema } from "./flag-config-schema";
import { flagKeySchema } from "./keys-schema";
import { serveSchema } from "./serve-schema";

/** What a user sees for a rejected input: each issue's path and message. */
function issuesOf(schema: z.ZodType, input: unknown): Array<{ path: PropertyKey[]; message: string }> {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error.issues.map(({ path, message }) => ({ path, message }));
}

describe("flagKeySchema", () => {
  it.each(["a", "new-checkout", "team.feature_2", "0", "a".repeat(100)])("accepts %j", (key) => {
    expect(flagKeySchema.parse(key)).toBe(key);
  });

  it.each(["", "-a", "A", "new checkout", "a/b", "a".repeat(101), "é"])("rejects %j", (key) => {
    expect(issuesOf(flagKeySchema, key)).toEqual([
      { path: [], message: "must be 1–100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit" },
    ]);
  });
});

describe("conditionSchema", () => {
  it("defaults negate to false", () => {
    expect(conditionSchema.parse({ attribute: "plan", operator: "in", values: ["pro", 1, true, null] })).toEqual({
      attribute: "plan",
      operator: "in",
      values: ["pro", 1, true, null],
      negate: false,
    });
  });

  it("lists the allowed operators", () => {
    expect(issuesOf(conditionSchema, { attribute: "a", operator: "equals", values: ["x"] })).toEqual([
      {
        path: ["operator"],
        message:
          "must be one of: in, contains, startsWith, endsWith, matches, lt, lte, gt, gte, before, after, semverEq, semverLt, semverGt, exists",
      },
    ]);
  });

  it("rejects unknown fields", () => {
    expect(issuesOf(conditionSchema, { attribute: "a", operator: "in", values: ["x"], op: "in" })).toEqual([
      { path: [], message: 'Unrecognized key: "op"' },
    ]);
  });

  it.each([
    ["lt", ["5"], '"lt" compares numbers: must be a number'],
    ["contains", [5], '"contains" compares strings: must be a string'],
    ["semverGt", ["1.x"], '"semverGt" compares versions: must be a semantic version such as 1.2.3, 1.2 or 2.0.0-rc.1'],
    [
      "before",
      ["next tuesday"],
      '"before" compares dates: must be an ISO-8601 date (2024-01-31, 2024-01-31T12:00:00Z) or epoch milliseconds',
    ],
    ["after", [true], '"after" compares dates: must be an ISO-8601 date (2024-01-31, 2024-01-31T12:00:00Z) or epoch milliseconds'],
  ])("types %s values, pointing at the bad value", (operator, values, message) => {
    expect(issuesOf(conditionSchema, { attribute: "a", operator, values: ["ok", ...values].slice(1) })).toEqual([
      { path: ["values", 0], message },
    ]);
  });

  it("names the pattern error of an invalid matches pattern", () => {
    const [issue] = issuesOf(conditionSchema, { attribute: "a", operator: "matches", values: ["^ok$", "(a"] });
    expect(issue?.path).toEqual(["values", 1]);
    expect(issue?.message).toMatch(/^invalid RE2 pattern: .*missing closing \)/);
  });

  it("rejects patterns RE2 cannot run in linear time (backreferences, lookaround)", () => {
    expect(issuesOf(conditionSchema, { attribute: "a", operator: "matches", values: ["(a)\\1"] })[0]?.path).toEqual(["values", 0]);
    expect(issuesOf(conditionSchema, { attribute: "a", operator: "matches", values: ["(?=a)"] })[0]?.path).toEqual(["values", 0]);
  });

  it("accepts dates as ISO strings or epoch milliseconds, and versions with v", () => {
    expect(conditionSchema.safeParse({ attribute: "a", operator: "before", values: ["2024-01-31", 1706659200000] }).success).toBe(true);
    expect(conditionSchema.safeParse({ attribute: "a", operator: "semverEq", values: ["v1.2", "2.0.0-rc.1+b"] }).success).toBe(true);
  });

  it("needs values, except for exists", () => {
    expect(issuesOf(conditionSchema, { attribute: "a", operator: "in", values: [] })).toEqual([
      { path: ["values"], message: '"in" needs at least one value' },
    ]);
    expect(conditionSchema.parse({ attribute: "a", operator: "exists", values: [], negate: true }).negate).toBe(true);
  });

  it("rejects non-primitive values", () => {
    expect(issuesOf(conditionSchema, { attribute: "a", operator: "in", values: [{ x: 1 }] })).toEqual([
      { path: ["values", 0], message: "must be a string, a number, a boolean or null" },
    ]);
  });
});

describe("serveSchema", () => {
  it("parses a variation or a rollout", () => {
    expect(serveSchema.parse({ variation: 1 })).toEqual({ variation: 1 });
    expect(serveSchema.parse({ rollout: { weights: [25_000, 75_000], salt: "s" } })).toEqual({
      rollout: { weights: [25_000, 75_000], salt: "s" },
    });
  });

  it("requires exactly one of variation and rollout", () => {
    expect(issuesOf(serveSchema, {})).toEqual([{ path: [], message: 'must have "variation" (an id, name or index) or "rollout"' }]);
    expect(issuesOf(serveSchema, { variation: 0, rollout: { weights: [100_000] } })).toEqual([
      { path: [], message: 'must have either "variation" or "rollout", not both' },
    ]);
  });

  it("says what the weights sum to", () => {
    expect(issuesOf(serveSchema, { rollout: { weights: [25_000, 70_000] } })).toEqual([
      {
        path: ["rollout", "weights"],
        message: "weights are thousandths of a percent and must sum to 100000; they sum to 95000",
      },
    ]);
  });

  it("wants non-negative integer weights and variation indexes", () => {
    expect(issuesOf(serveSchema, { rollout: { weights: [50_000.5, 49_999.5] } }).map((issue) => issue.path)).toEqual([
      ["rollout", "weights", 0],
      ["rollout", "weights", 1],
    ]);
    expect(issuesOf(serveSchema, { variation: -1 }).map((issue) => issue.path)).toEqual([["variation"]]);
  });
});

describe("flagConfigInputSchema", () => {
  it("fills defaults and keeps rule ids optional", () => {
    expect(flagConfigInputSchema.parse({ enabled: true, fallthrough: { variation: 0 } })).toEqual({
      enabled: true,
      rules: [],
      fallthrough: { variation: 0 },
      prerequisites: [],
    });
    const parsed = flagConfigInputSchema.parse({
      enabled: false,
      offVariation: 1,
      rules: [{ conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variation: 0 } }],
      fallthrough: { rollout: { bucketBy: "orgId", weights: [10_000, 90_000] } },
      prerequisites: [{ flag: "other", variation: 0 }],
    });
    expect(parsed.rules[0]).toEqual({
      conditions: [{ attribute: "plan", operator: "in", values: ["pro"], negate: false }],
      serve: { variation: 0 },
    });
  });

  it("reports deep paths users can follow", () => {
    const issues = issuesOf(flagConfigInputSchema, {
      enabled: "yes",
      rules: [
        { id: "ok", serve: { variation: 0 } },
        { id: "bad id!", conditions: [{ attribute: "age", operator: "gt", values: ["18"] }], serve: { rollout: { weights: [1] } } },
      ],
      fallthrough: { variation: 0 },
      prerequisites: [{ flag: "Other", variation: 0 }],
      extra: 1,
    });
    expect(issues.map((issue) => issue.path)).toEqual([
      ["enabled"],
      ["rules", 1, "id"],
      ["rules", 1, "conditions", 0, "values", 0],
      ["rules", 1, "serve", "rollout", "weights"],
      ["prerequisites", 0, "flag"],
      [],
    ]);
  });
});
