import { describe, expect, it } from "vitest";
import { CheckoutStats, difference } from "./checkout-stats";

const T = 1_795_684_000_000; // a whole second

describe("CheckoutStats", () => {
  it("keeps totals per path since start", () => {
    const stats = new CheckoutStats();
    stats.record("new", true, T);
    stats.record("new", false, T + 10);
    stats.record("old", false, T + 60_000);
    expect(stats.total()).toEqual({ new: { requests: 2, errors: 1 }, old: { requests: 1, errors: 0 } });
  });

  it("reports the last whole seconds only: not the second in progress, not older ones", () => {
    const stats = new CheckoutStats();
    stats.record("new", false, T); // second 0: too old for a 2-second window at 3.5 s
    stats.record("new", true, T + 1_000); // second 1
    stats.record("old", false, T + 2_999); // second 2
    stats.record("old", false, T + 3_000); // second 3: in progress
    expect(stats.recent(2, T + 3_500)).toEqual({
      seconds: 2,
      counts: { new: { requests: 1, errors: 1 }, old: { requests: 1, errors: 0 } },
      newShare: 0.5,
    });
    expect(stats.recent(2, T + 60_000)).toEqual({
      seconds: 2,
      counts: { new: { requests: 0, errors: 0 }, old: { requests: 0, errors: 0 } },
      newShare: null,
    });
  });

  it("forgets seconds it no longer reports, and says which span it covers", () => {
    const stats = new CheckoutStats();
    stats.record("new", false, T);
    stats.record("old", false, T + 20_000); // drops second 0
    expect(stats.recent(100, T + 9_500).seconds).toBe(9);
    expect(stats.recent(9, T + 9_500).counts.new.requests).toBe(0);
    expect(stats.total().new.requests).toBe(1);
  });

  it("returns copies, and subtracts two readings", () => {
    const stats = new CheckoutStats();
    stats.record("old", true, T);
    const before = stats.total();
    stats.record("old", false, T);
    stats.record("new", false, T);
    expect(before).toEqual({ new: { requests: 0, errors: 0 }, old: { requests: 1, errors: 1 } });
    expect(difference(stats.total(), before)).toEqual({ new: { requests: 1, errors: 0 }, old: { requests: 1, errors: 0 } });
  });
});
