import { describe, expect, it } from "vitest";
import { demoStatus, statusLine } from "./demo-status";

const at = new Date("2026-11-26T09:17:23.000Z");

describe("statusLine", () => {
  it("shows the rate, the error rate per path and whether the flag is on for anyone", () => {
    const counts = { new: { requests: 58, errors: 12 }, old: { requests: 193, errors: 1 } };
    expect(statusLine(at, "flagged", "new-checkout", 5, counts, 11)).toBe(
      "09:17:23 flagged      50 req/s | errors new 20.7% (12/58), old 0.5% (1/193) | new-checkout on for 23.1% of users (config version 11)",
    );
    const off = { new: { requests: 0, errors: 0 }, old: { requests: 246, errors: 1 } };
    expect(statusLine(at, "flagged", "new-checkout", 5, off, 17)).toBe(
      "09:17:23 flagged      49 req/s | errors new – (0/0), old 0.4% (1/246) | new-checkout off for everyone (config version 17)",
    );
    const none = { new: { requests: 0, errors: 0 }, old: { requests: 0, errors: 0 } };
    expect(statusLine(at, "healthy", "new-checkout", 5, none, undefined)).toBe(
      "09:17:23 healthy       0 req/s | errors new – (0/0), old – (0/0) | new-checkout no traffic (no flag data)",
    );
  });
});

describe("demoStatus", () => {
  it("says the flag is on for someone only when recent traffic took the new path", () => {
    const totals = { new: { requests: 10, errors: 1 }, old: { requests: 30, errors: 0 } };
    const recent = (newRequests: number, oldRequests: number) => ({
      seconds: 2,
      counts: { new: { requests: newRequests, errors: 0 }, old: { requests: oldRequests, errors: 0 } },
      newShare: newRequests + oldRequests === 0 ? null : newRequests / (newRequests + oldRequests),
    });
    const base = {
      mode: "healthy",
      flag: "new-checkout",
      requestsPerSecond: 50,
      track: true,
      totals,
      configVersion: 7,
      dataAgeMs: 120,
    } as const;
    expect(demoStatus({ ...base, recent: recent(0, 100) })).toEqual({
      mode: "healthy",
      flag: "new-checkout",
      requestsPerSecond: 50,
      track: true,
      served: { new: 10, old: 30 },
      errors: { new: 1, old: 0 },
      newShare: 0.25,
      recent: recent(0, 100),
      flagOnForAnyone: false,
      sdk: { configVersion: 7, dataAgeMs: 120 },
    });
    expect(demoStatus({ ...base, recent: recent(1, 99) }).flagOnForAnyone).toBe(true);
    expect(demoStatus({ ...base, recent: recent(0, 0), configVersion: undefined, dataAgeMs: undefined })).toMatchObject({
      flagOnForAnyone: null,
      sdk: { configVersion: null, dataAgeMs: null },
    });
  });
});
