import { describe, expect, it } from "vitest";
import { acknowledgement } from "./propagation";
import type { FlagOff } from "./types";

const disabledAt = new Date("2025-03-01T12:01:31.000Z");
const off: FlagOff = { flag: "new-checkout", disabledAt, version: 11 };
const after = (ms: number) => new Date(disabledAt.getTime() + ms);
const now = disabledAt.getTime() + 60_000;

describe("acknowledgement", () => {
  it("is the moment the 19th of 20 instances (95%) served the flag-off version", () => {
    const instances = Array.from({ length: 20 }, (_, i) => ({ acknowledgedAt: after((i + 1) * 100) }));
    const { evidence, acknowledgedAtMs } = acknowledgement(off, { flag: "new-checkout", version: 11, instances }, 0.95, now);
    expect(acknowledgedAtMs).toBe(after(1900).getTime());
    expect(evidence).toStrictEqual({
      version: 11,
      acknowledged: 20,
      connected: 20,
      requiredRatio: 0.95,
      acknowledgedAt: after(1900).toISOString(),
      seconds: 1.9,
    });
  });

  it("is not reached while fewer than the required share acknowledged", () => {
    const instances = [
      ...Array.from({ length: 18 }, () => ({ acknowledgedAt: after(500) })),
      { acknowledgedAt: null },
      { acknowledgedAt: null },
    ];
    const { evidence, acknowledgedAtMs } = acknowledgement(off, { flag: "new-checkout", version: 11, instances }, 0.95, now);
    expect(acknowledgedAtMs).toBeNull();
    expect(evidence).toMatchObject({ acknowledged: 18, connected: 20, acknowledgedAt: null, seconds: null });
  });

  it("ignores acknowledgements later than now", () => {
    const instances = [{ acknowledgedAt: after(500) }, { acknowledgedAt: after(120_000) }];
    expect(acknowledgement(off, { flag: "new-checkout", version: 11, instances }, 0.95, now).acknowledgedAtMs).toBeNull();
  });

  it("counts an instance already on a newer version from the flag-off itself", () => {
    const instances = [{ acknowledgedAt: after(-5000) }];
    expect(acknowledgement(off, { flag: "new-checkout", version: 12, instances }, 1, now).evidence).toMatchObject({
      version: 12,
      seconds: 0,
    });
  });

  it("with no instance connected, nothing serves the old config: acknowledged at once", () => {
    const result = acknowledgement(off, { flag: "new-checkout", version: 11, instances: [] }, 0.95, now);
    expect(result.acknowledgedAtMs).toBe(disabledAt.getTime());
    expect(result.evidence).toMatchObject({ acknowledged: 0, connected: 0, seconds: 0 });
  });

  it("without a report for the flag-off version, it is not acknowledged", () => {
    expect(acknowledgement(off, undefined, 0.95, now).acknowledgedAtMs).toBeNull();
    const stale = { flag: "new-checkout", version: 10, instances: [{ acknowledgedAt: after(100) }] };
    expect(acknowledgement(off, stale, 0.95, now).acknowledgedAtMs).toBeNull();
  });
});
