import { compareSemver, parseSemver, type SemanticVersion } from "../semver";
import type { JsonPrimitive } from "../types";
import { parsedValues, type ValueTest } from "./value-test";

/*
 * `semverEq`/`semverLt`/`semverGt`: the attribute is a version string (see semver.ts), compared
 * by semver precedence with each value; build metadata is ignored.
 */

function parseVersionValue(value: JsonPrimitive): SemanticVersion | undefined {
  return typeof value === "string" ? parseSemver(value) : undefined;
}

function compileSemverTest(values: readonly JsonPrimitive[], holds: (order: number) => boolean): ValueTest | null {
  const versions = parsedValues(values, parseVersionValue);
  if (versions === null) return null;
  return (value) => {
    if (typeof value !== "string") return false;
    const version = parseSemver(value);
    if (version === undefined) return false;
    for (const candidate of versions) if (holds(compareSemver(version, candidate))) return true;
    return false;
  };
}

export function compileSemverEq(values: readonly JsonPrimitive[]): ValueTest | null {
  return compileSemverTest(values, (order) => order === 0);
}

export function compileSemverLt(values: readonly JsonPrimitive[]): ValueTest | null {
  return compileSemverTest(values, (order) => order < 0);
}

export function compileSemverGt(values: readonly JsonPrimitive[]): ValueTest | null {
  return compileSemverTest(values, (order) => order > 0);
}
