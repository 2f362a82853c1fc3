import { describe, expect, it } from "vitest";
import { attributePathProblem, compileAttributeReader, parseAttributePath } from "./attribute-path";
import { attributePathSchema } from "./schema";

describe("parseAttributePath", () => {
  it.each([
    ["plan", ["plan"]],
    ["user.email", ["user", "email"]],
    ["a.b.c", ["a", "b", "c"]],
    ["app\\.version", ["app.version"]],
    ["user.first\\.name", ["user", "first.name"]],
    ["back\\\\slash", ["back\\slash"]],
    ["trailing\\\\.x", ["trailing\\", "x"]],
    ["ünï.😀", ["ünï", "😀"]],
  ])("%s → %j", (path, keys) => {
    expect(parseAttributePath(path)).toEqual({ ok: true, keys });
  });

  it.each([
    ["a..b", 'invalid attribute path "a..b": key 2 is empty: keys are separated by single dots (write \\. for a dot inside a key)'],
    [".a", 'invalid attribute path ".a": key 1 is empty: keys are separated by single dots (write \\. for a dot inside a key)'],
    ["a.", 'invalid attribute path "a.": key 2 is empty: keys are separated by single dots (write \\. for a dot inside a key)'],
    ["a\\", 'invalid attribute path "a\\": ends with a lone \\ at position 2: inside a key write \\. for a dot and \\\\ for a backslash'],
    ["a\\b", 'invalid attribute path "a\\b": has \\b at position 2: inside a key write \\. for a dot and \\\\ for a backslash'],
  ])("refuses %s", (path, problem) => {
    expect(attributePathProblem(path)).toBe(problem);
    expect(attributePathSchema.safeParse(path).error?.issues.map((issue) => issue.message)).toEqual([problem]);
  });
});

describe("compileAttributeReader", () => {
  const context = {
    key: "u1",
    plan: "pro",
    user: { email: "ann@example.com", "first.name": "Ann", tags: ["a"], nested: { deep: 1 } },
    items: [{ id: 1 }],
    "app.version": "2.0.0",
    app: { version: "1.0.0", build: "b7" },
    "back\\slash": "bs",
  };

  it.each([
    ["plan", "pro"],
    ["user.email", "ann@example.com"],
    ["user.nested.deep", 1],
    ["user.tags", ["a"]],
    ["user.first\\.name", "Ann"],
    ["back\\\\slash", "bs"],
    ["user.missing.deeper", undefined],
    ["plan.length", undefined],
    ["items.0", undefined],
    ["items.0.id", undefined],
    ["nobody.home", undefined],
  ])("reads %s as %j", (path, value) => {
    expect(compileAttributeReader(path)(context)).toEqual(value);
  });

  it("reads a top-level key spelt like the path first, so dotted names written before paths keep their meaning", () => {
    expect(compileAttributeReader("app.version")(context)).toBe("2.0.0");
    expect(compileAttributeReader("app\\.version")(context)).toBe("2.0.0");
    expect(compileAttributeReader("app.build")(context)).toBe("b7");
    expect(compileAttributeReader("app.version")({ app: { version: "1.0.0" } })).toBe("1.0.0");
    expect(compileAttributeReader("app\\.version")({ app: { version: "1.0.0" } })).toBeUndefined();
  });

  it("never reads inherited members, at the top or inside an object", () => {
    expect(compileAttributeReader("constructor")({})).toBeUndefined();
    expect(compileAttributeReader("user.toString")({ user: {} })).toBeUndefined();
    expect(compileAttributeReader("user.__proto__")({ user: {} })).toBeUndefined();
  });

  it("reads key and targetingKey as one identity: key when present, else targetingKey", () => {
    for (const path of ["key", "targetingKey"]) {
      const read = compileAttributeReader(path);
      expect(read({ key: "k" })).toBe("k");
      expect(read({ targetingKey: "t" })).toBe("t");
      expect(read({ key: "k", targetingKey: "t" })).toBe("k");
    }
  });

  it("reads a malformed path as a top-level name, as every attribute was read before paths", () => {
    expect(compileAttributeReader("a..b")({ "a..b": 1, a: { b: 2 } })).toBe(1);
    expect(compileAttributeReader("a..b")({ a: { b: 2 } })).toBeUndefined();
  });
});
