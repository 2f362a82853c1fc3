import { describe, expect, it } from "vitest";
import { createCheckout, type FlagClient } from "./checkout";
import { CheckoutStats } from "./checkout-stats";
import { FailureModel } from "./failure-model";

/** The flag is on for even user numbers; every call is recorded. */
function fakeFlags() {
  const calls: string[] = [];
  const flags: FlagClient = {
    isEnabled: (key, context) => {
      calls.push(`isEnabled ${key} ${String(context?.key)}`);
      return Number(String(context?.key).split("-")[1]) % 2 === 0;
    },
    track: (event, context) => void calls.push(`track ${event} ${String(context?.key)}`),
  };
  return { flags, calls };
}

describe("createCheckout", () => {
  it("takes the path the flag picks for the user, tracks the request and, on failure, the error", () => {
    const { flags, calls } = fakeFlags();
    const stats = new CheckoutStats();
    const checkout = createCheckout({
      flags,
      flag: "new-checkout",
      model: new FailureModel("everything"),
      stats,
      track: true,
      now: () => 0,
    });
    const results = ["user-2", "user-3", "user-4", "user-6", "user-8", "user-10"].map(checkout);
    expect(results.map((r) => `${r.user} ${r.path} ${r.ok}`)).toEqual([
      "user-2 new true",
      "user-3 old true",
      "user-4 new true",
      "user-6 new true",
      "user-8 new true",
      "user-10 new false",
    ]);
    expect(calls.slice(-3)).toEqual(["isEnabled new-checkout user-10", "track request user-10", "track error user-10"]);
    expect(calls.filter((c) => c.startsWith("track error"))).toEqual(["track error user-10"]);
    expect(stats.total()).toEqual({ new: { requests: 5, errors: 1 }, old: { requests: 1, errors: 0 } });
  });

  it("does not call track() when tracking is off, and still counts for /metrics", () => {
    const { flags, calls } = fakeFlags();
    const stats = new CheckoutStats();
    const checkout = createCheckout({
      flags,
      flag: "new-checkout",
      model: new FailureModel("everything"),
      stats,
      track: false,
      now: () => 0,
    });
    for (let i = 0; i < 5; i++) checkout("user-3");
    expect(calls.filter((c) => c.startsWith("track"))).toEqual([]);
    expect(stats.total().old).toEqual({ requests: 5, errors: 1 });
  });
});
