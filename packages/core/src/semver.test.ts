import { describe, expect, it } from "vitest";
import { compareSemver, parseSemver } from "./semver";

describe("parseSemver", () => {
  it("parses releases, prereleases, build metadata, a leading v and a missing patch", () => {
    expect(parseSemver("1.2.3")).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseSemver("v1.2")).toEqual({ major: 1, minor: 2, patch: 0, prerelease: [] });
    expect(parseSemver("1.0.0-rc.1+build.5")).toEqual({ major: 1, minor: 0, patch: 0, prerelease: ["rc", 1] });
    expect(parseSemver("1.0.0-x-y.0a")).toEqual({ major: 1, minor: 0, patch: 0, prerelease: ["x-y", "0a"] });
  });

  it.each(["", "1", "1.2.3.4", "01.2.3", "1.02.3", "1.2.3-", "1.2.3-a..b", "1.2.3-01", "1.2.3+", "V1.2.3", "1.2.x", " 1.2.3", "1.2.3-ü"])(
    "rejects %j",
    (text) => {
      expect(parseSemver(text)).toBeUndefined();
    },
  );
});

describe("compareSemver", () => {
  it("orders the semver 2.0 precedence example", () => {
    const ordered = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.1.0",
      "2.0.0",
      "10.0.0",
    ].map((text) => parseSemver(text));
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const a = ordered[i];
        const b = ordered[j];
        if (a === undefined || b === undefined) throw new Error("unparsed");
        expect(Math.sign(compareSemver(a, b))).toBe(Math.sign(i - j));
      }
    }
  });
});
