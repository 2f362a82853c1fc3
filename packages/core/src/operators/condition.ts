import { type AttributeReader, compileAttributeReader } from "../attribute-path";
import type { ContextRecord } from "../context-attribute";
import type { Condition, Operator } from "../types";
import { compileAfter, compileBefore } from "./date-operators";
import { compileIn } from "./membership-operator";
import { compileGt, compileGte, compileLt, compileLte } from "./numeric-operators";
import { compileMatches } from "./regex-operator";
import { compileSemverEq, compileSemverGt, compileSemverLt } from "./semver-operators";
import { compileContains, compileEndsWith, compileStartsWith } from "./string-operators";
import type { OperatorCompiler, ValueTest } from "./value-test";

/** A compiled condition: does it hold for this context? */
export type ConditionMatcher = (context: ContextRecord) => boolean;

const OPERATOR_COMPILERS: Readonly<Record<Exclude<Operator, "exists">, OperatorCompiler>> = {
  in: compileIn,
  contains: compileContains,
  startsWith: compileStartsWith,
  endsWith: compileEndsWith,
  matches: compileMatches,
  lt: compileLt,
  lte: compileLte,
  gt: compileGt,
  gte: compileGte,
  before: compileBefore,
  after: compileAfter,
  semverEq: compileSemverEq,
  semverLt: compileSemverLt,
  semverGt: compileSemverGt,
};

const NEVER: ConditionMatcher = () => false;

/** An array attribute holds when any of its (non-null) elements does. */
function testAttribute(value: unknown, test: ValueTest): boolean {
  if (!Array.isArray(value)) return test(value);
  for (const element of value) if (element != null && test(element)) return true;
  return false;
}

function compileExists(read: AttributeReader, negate: boolean): ConditionMatcher {
  return negate ? (context) => read(context) == null : (context) => read(context) != null;
}

/**
 * Compiles a condition once. Semantics:
 * - a missing (`undefined`/`null`) attribute never matches, whatever `negate` says — except
 *   `exists`, which is exactly "present and not null" and so negates normally;
 * - otherwise the operator's result (any value; any element of an array attribute) XOR
 *   `negate`; a value of the wrong type is simply "no match" for the operator;
 * - a broken condition (unknown operator, values invalid for the operator) never matches,
 *   even negated, so a bad configuration cannot serve a rule to everyone.
 */
export function compileCondition(condition: Condition): ConditionMatcher {
  const read = compileAttributeReader(String(condition.attribute));
  const negate = condition.negate === true;
  if (condition.operator === "exists") return compileExists(read, negate);
  const compileOperator: OperatorCompiler | undefined = Object.hasOwn(OPERATOR_COMPILERS, condition.operator)
    ? OPERATOR_COMPILERS[condition.operator]
    : undefined;
  if (compileOperator === undefined || !Array.isArray(condition.values)) return NEVER;
  const test = compileOperator(condition.values);
  if (test === null) return NEVER;
  if (negate) {
    return (context) => {
      const value = read(context);
      return value != null && !testAttribute(value, test);
    };
  }
  return (context) => {
    const value = read(context);
    return value != null && testAttribute(value, test);
  };
}

/** True when every condition holds (vacuously for none). */
export function allConditionsHold(conditions: readonly ConditionMatcher[], context: ContextRecord): boolean {
  for (const condition of conditions) if (!condition(context)) return false;
  return true;
}
