import { describe, expect, it } from "vitest";
import { variationsSchema } from "./variations-schema";

function issues(input: unknown) {
  const result = variationsSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map(({ path, message }) => ({ path, message }));
}

describe("variationsSchema", () => {
  it.each([[[true, false]], [["a", "b", "c"]], [[1, 2.5, -3]], [[{ a: 1 }, { a: 2 }, [1, 2]]], [["only"]]])("accepts %j", (variations) => {
    expect(variationsSchema.parse(variations)).toEqual(variations);
  });

  it("needs 1 to 100 values", () => {
    expect(issues([])).toEqual([{ path: [], message: "a flag needs at least one variation" }]);
    expect(issues(Array.from({ length: 101 }, (_, i) => i))[0]?.path).toEqual([]);
  });

  it("rejects null", () => {
    expect(issues([true, null])).toEqual([
      { path: [1], message: "must be a non-null JSON value (boolean, string, number, object or array)" },
    ]);
  });

  it("wants one type", () => {
    expect(issues(["a", 1, "b"])).toEqual([
      { path: [1], message: "all variations must be of one type: variation 0 is a string value, this one is a number value" },
    ]);
  });

  it("wants distinct values, comparing JSON by content", () => {
    expect(issues([true, true])).toEqual([{ path: [1], message: "duplicate of variation 0" }]);
    expect(
      issues([
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ]),
    ).toEqual([{ path: [1], message: "duplicate of variation 0" }]);
  });
});
