import { describe, expect, it } from "vitest";
import casesJson from "../cases.json" with { type: "json" };
import { bucket } from "./bucketing";
import { compile } from "./engine";
import type { EvaluationContext, EvaluationResult } from "./types";
import type { CaseExpectation, CasesDocument } from "./cases-document";

/* The shared vectors (packages/core/cases.json) every implementation runs. */

// Parsed boundary: cases.json is written to this shape (and the vectors below fail if not).
const casesDocument = casesJson as unknown as CasesDocument;

/** The fields a vector pins: everything but the human-readable errorMessage. */
function comparable(result: EvaluationResult): CaseExpectation {
  const { errorMessage: _message, ...rest } = result;
  return rest;
}

describe("cases.json bucket vectors", () => {
  it.each(casesDocument.buckets)("bucket($seed, $value) = $bucket", ({ seed, value, bucket: expected }) => {
    expect(bucket(seed, value)).toBe(expected);
  });
});

for (const suite of casesDocument.suites) {
  describe(`cases.json: ${suite.name}`, () => {
    const engine = compile(suite.snapshot);
    it.each(suite.cases.map((vector) => [vector.name, vector] as const))("%s", (_name, vector) => {
      // Parsed boundary: some vectors deliberately pass non-object contexts.
      const result = engine.evaluate(vector.flag, vector.context as EvaluationContext);
      expect(comparable(result)).toStrictEqual(vector.expect);
      if (result.reason === "ERROR") expect(result.errorMessage).toEqual(expect.any(String));
    });
  });
}

describe("cases.json coverage", () => {
  it("holds at least 80 cases and covers every operator", () => {
    const cases = casesDocument.suites.flatMap((suite) => suite.cases);
    expect(cases.length).toBeGreaterThanOrEqual(80);
    const operators = new Set(
      casesDocument.suites.flatMap((suite) =>
        suite.snapshot.flags.flatMap((flag) => flag.rules.flatMap((rule) => rule.conditions.map((c) => c.operator))),
      ),
    );
    expect([...operators].sort()).toEqual([
      "after",
      "before",
      "contains",
      "endsWith",
      "exists",
      "gt",
      "gte",
      "in",
      "lt",
      "lte",
      "matches",
      "semverEq",
      "semverGt",
      "semverLt",
      "startsWith",
    ]);
  });
});
