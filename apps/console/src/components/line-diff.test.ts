import { describe, expect, it } from "vitest";
import { diffLines } from "./line-diff";

describe("diffLines", () => {
  it("keeps common lines and marks what was removed and added, in order", () => {
    expect(diffLines("a\nb\nc", "a\nx\nc\nd")).toEqual([
      { kind: "same", text: "a" },
      { kind: "added", text: "x" },
      { kind: "removed", text: "b" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
  });

  it("says nothing changed for equal texts, and everything for disjoint ones", () => {
    expect(diffLines("a\nb", "a\nb").every((l) => l.kind === "same")).toBe(true);
    expect(diffLines("a", "b")).toEqual([
      { kind: "added", text: "b" },
      { kind: "removed", text: "a" },
    ]);
  });
});
