/**
 * A small semantic-version parser for the `semver*` operators: semver 2.0.0 with two
 * leniencies users expect — a leading `v` (`v1.2.3`) and an omitted patch (`1.2` = `1.2.0`).
 * Numeric parts may not have leading zeros (as semver requires); build metadata is parsed and
 * ignored when comparing.
 */

export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Prerelease identifiers; numeric ones as numbers. Empty for a release. */
  readonly prerelease: readonly (string | number)[];
}

const MAX_LENGTH = 256;

function isDigits(part: string): boolean {
  if (part.length === 0) return false;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function parseNumericPart(part: string): number | undefined {
  if (!isDigits(part) || (part.length > 1 && part.charCodeAt(0) === 0x30)) return undefined;
  const value = Number(part);
  return Number.isSafeInteger(value) ? value : undefined;
}

function isIdentifier(part: string): boolean {
  if (part.length === 0) return false;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    const alphanumeric = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alphanumeric && c !== 0x2d) return false;
  }
  return true;
}

/** Parses `1.2.3`, `v1.2.3-rc.1+build.5`, `1.2`; anything else is `undefined`. */
export function parseSemver(text: string): SemanticVersion | undefined {
  if (text.length === 0 || text.length > MAX_LENGTH) return undefined;
  let rest = text.charCodeAt(0) === 0x76 ? text.slice(1) : text; // "v"
  const plus = rest.indexOf("+");
  if (plus !== -1) {
    const build = rest.slice(plus + 1).split(".");
    if (!build.every(isIdentifier)) return undefined;
    rest = rest.slice(0, plus);
  }
  let prerelease: (string | number)[] = [];
  const dash = rest.indexOf("-");
  if (dash !== -1) {
    const identifiers = rest.slice(dash + 1).split(".");
    prerelease = [];
    for (const identifier of identifiers) {
      if (!isIdentifier(identifier)) return undefined;
      if (isDigits(identifier)) {
        const numeric = parseNumericPart(identifier);
        if (numeric === undefined) return undefined;
        prerelease.push(numeric);
      } else {
        prerelease.push(identifier);
      }
    }
    rest = rest.slice(0, dash);
  }
  const core = rest.split(".");
  if (core.length < 2 || core.length > 3) return undefined;
  const major = parseNumericPart(core[0] ?? "");
  const minor = parseNumericPart(core[1] ?? "");
  const patch = core.length === 3 ? parseNumericPart(core[2] ?? "") : 0;
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  return Object.freeze({ major, minor, patch, prerelease: Object.freeze(prerelease) });
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === "number") {
    if (typeof b === "number") return a === b ? 0 : a < b ? -1 : 1;
    return -1; // numeric identifiers have lower precedence than alphanumeric ones
  }
  if (typeof b === "number") return 1;
  return a === b ? 0 : a < b ? -1 : 1; // ASCII order
}

/** Semver 2.0.0 precedence: negative when a < b, 0 when equal (build ignored), positive when a > b. */
export function compareSemver(a: SemanticVersion, b: SemanticVersion): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const left = a.prerelease;
  const right = b.prerelease;
  if (left.length === 0 || right.length === 0) {
    // A release ranks above any of its prereleases.
    return left.length === right.length ? 0 : left.length === 0 ? 1 : -1;
  }
  const shared = Math.min(left.length, right.length);
  for (let i = 0; i < shared; i++) {
    const order = compareIdentifiers(left[i] ?? 0, right[i] ?? 0);
    if (order !== 0) return order;
  }
  return left.length === right.length ? 0 : left.length < right.length ? -1 : 1;
}
