import { describe, expect, it } from "vitest";
import { isForegroundStat, keyAction } from "./terminal-keys";

describe("keyAction", () => {
  it("maps f, e, r to the failure modes and q, Ctrl-C, Ctrl-D to quit", () => {
    expect(["f", "E", "r", "q", "\u0003", "\u0004", "x", "\r"].map(keyAction)).toEqual([
      "flagged",
      "everything",
      "healthy",
      "quit",
      "quit",
      "quit",
      undefined,
      undefined,
    ]);
  });
});

describe("isForegroundStat", () => {
  it("compares the process group with the terminal's foreground group, whatever the command name holds", () => {
    expect(isForegroundStat("4242 (node) S 4200 4242 4100 34816 4242 4194304 0 0")).toBe(true);
    expect(isForegroundStat("4242 (node) T 4200 4242 4100 34816 4100 4194304 0 0")).toBe(false);
    expect(isForegroundStat("4242 (my (odd) name) S 4200 4242 4100 34816 4242 4194304")).toBe(true);
    expect(isForegroundStat("garbage")).toBe(false);
  });
});
