import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff";
import { FailureActions, streamFailureAction } from "./failover-policy";
import { FailureKinds } from "./fetcher";

describe("Backoff", () => {
  it("doubles the ceiling per consecutive failure up to the maximum, with full jitter", () => {
    const highest = new Backoff(100, 1_000, () => 0.999_999);
    expect(Array.from({ length: 6 }, () => highest.nextDelayMs())).toStrictEqual([99, 199, 399, 799, 999, 999]);
    const lowest = new Backoff(100, 1_000, () => 0);
    expect(Array.from({ length: 3 }, () => lowest.nextDelayMs())).toStrictEqual([0, 0, 0]);
  });

  it("starts over after a success", () => {
    const backoff = new Backoff(100, 1_000, () => 0.5);
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    expect(backoff.consecutiveFailures).toBe(2);
    backoff.reset();
    expect([backoff.consecutiveFailures, backoff.nextDelayMs()]).toStrictEqual([0, 50]);
  });
});

describe("streamFailureAction", () => {
  const failure = (status: number | undefined, consecutiveFailures: number) =>
    status === undefined
      ? { kind: FailureKinds.NETWORK, message: "reset", consecutiveFailures }
      : { kind: FailureKinds.STATUS, status, message: "no", consecutiveFailures };

  it.each([
    [401, 1, FailureActions.STOP],
    [403, 1, FailureActions.STOP],
    [404, 1, FailureActions.POLL],
    [501, 1, FailureActions.POLL],
    [500, 1, FailureActions.RETRY],
    [503, 2, FailureActions.RETRY],
    [503, 3, FailureActions.POLL],
    [undefined, 1, FailureActions.RETRY],
    [undefined, 3, FailureActions.POLL],
  ] as const)("status %s, failure #%s → %s", (status, count, action) => {
    expect(streamFailureAction(failure(status, count))).toBe(action);
  });
});
