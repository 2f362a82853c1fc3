import { describe, expect, it } from "vitest";
import { randomUser, requestsDue } from "./traffic";

describe("requestsDue", () => {
  it("follows the clock: 50/s is 5 per 100 ms tick, and a late tick catches up", () => {
    expect(requestsDue(50, 100, 0)).toEqual({ due: 5, served: 0 });
    expect(requestsDue(50, 350, 5)).toEqual({ due: 12, served: 5 });
    expect(requestsDue(2.5, 1_000, 0)).toEqual({ due: 2, served: 0 });
    expect(requestsDue(2.5, 2_000, 2)).toEqual({ due: 3, served: 2 });
  });

  it("serves at most one second's worth after a stall and skips the rest", () => {
    expect(requestsDue(50, 10_000, 100)).toEqual({ due: 50, served: 450 });
    expect(requestsDue(0.5, 10_000, 0)).toEqual({ due: 1, served: 4 });
  });
});

describe("randomUser", () => {
  it("draws user-1 … user-1000000", () => {
    expect(randomUser(() => 0)).toBe("user-1");
    expect(randomUser(() => 0.999_999_9)).toBe("user-1000000");
  });
});
