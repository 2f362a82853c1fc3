import { z } from "zod";
import { attributePathSchema } from "./attribute-path-schema";
import { parseDateValue } from "../date-value";
import { compilePattern } from "../operators/regex-operator";
import { parseSemver } from "../semver";
import { type JsonPrimitive, type Operator, Operators } from "../types";

const operatorList = Object.values(Operators).join(", ");

const operatorSchema = z.enum(Operators, { error: `must be one of: ${operatorList}` });

const primitiveSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: "must be a string, a number, a boolean or null",
});

/** Why `value` is not acceptable for `operator`, or `undefined` when it is. */
function valueProblem(operator: Operator, value: JsonPrimitive): string | undefined {
  switch (operator) {
    case "in":
    case "exists":
      return undefined;
    case "contains":
    case "startsWith":
    case "endsWith":
      return typeof value === "string" ? undefined : `"${operator}" compares strings: must be a string`;
    case "matches": {
      if (typeof value !== "string") return `"matches" takes RE2 patterns: must be a string`;
      const compiled = compilePattern(value);
      return compiled.ok ? undefined : `invalid RE2 pattern: ${compiled.error}`;
    }
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      return typeof value === "number" ? undefined : `"${operator}" compares numbers: must be a number`;
    case "before":
    case "after":
      return (typeof value === "string" || typeof value === "number") && parseDateValue(value) !== undefined
        ? undefined
        : `"${operator}" compares dates: must be an ISO-8601 date (2024-01-31, 2024-01-31T12:00:00Z) or epoch milliseconds`;
    case "semverEq":
    case "semverLt":
    case "semverGt":
      return typeof value === "string" && parseSemver(value) !== undefined
        ? undefined
        : `"${operator}" compares versions: must be a semantic version such as 1.2.3, 1.2 or 2.0.0-rc.1`;
  }
}

export const conditionSchema = z
  .strictObject({
    attribute: attributePathSchema,
    operator: operatorSchema,
    values: z.array(primitiveSchema).max(10_000),
    negate: z.boolean().default(false),
  })
  .superRefine((condition, context) => {
    if (condition.operator !== "exists" && condition.values.length === 0) {
      context.addIssue({
        code: "custom",
        path: ["values"],
        message: `"${condition.operator}" needs at least one value`,
      });
    }
    condition.values.forEach((value, index) => {
      const problem = valueProblem(condition.operator, value);
      if (problem !== undefined) context.addIssue({ code: "custom", path: ["values", index], message: problem });
    });
  });

export type ConditionInput = z.input<typeof conditionSchema>;
