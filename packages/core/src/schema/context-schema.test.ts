import { describe, expect, it } from "vitest";
import { normalizeContext } from "../context";
import { contextSchema } from "./context-schema";

describe("contextSchema", () => {
  it("accepts any attributes and keeps them", () => {
    expect(contextSchema.parse({ key: "u1", plan: "pro", tags: ["a"], nested: { x: 1 } })).toEqual({
      key: "u1",
      plan: "pro",
      tags: ["a"],
      nested: { x: 1 },
    });
  });

  it("wants a string key and targetingKey", () => {
    const result = contextSchema.safeParse({ key: 42, targetingKey: false });
    expect(result.error?.issues.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: ["key"], message: "the context key must be a string" },
      { path: ["targetingKey"], message: "targetingKey must be a string" },
    ]);
  });

  it("rejects non-objects", () => {
    expect(contextSchema.safeParse([]).success).toBe(false);
    expect(contextSchema.safeParse("u1").success).toBe(false);
  });
});

describe("normalizeContext", () => {
  it("maps targetingKey to key", () => {
    expect(normalizeContext({ targetingKey: "u1", plan: "pro" })).toEqual({ targetingKey: "u1", plan: "pro", key: "u1" });
  });

  it("keeps an explicit key", () => {
    const context = { key: "k", targetingKey: "t" };
    expect(normalizeContext(context)).toBe(context);
  });
});
