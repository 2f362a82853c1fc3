import { describe, expect, it } from "vitest";
import type { InstanceView } from "../services/sdk-usage";
import { countedEvents, newAcks, propagationViews } from "./deploy-inputs";
import type { Guard } from "./types";

const instance = (
  instanceId: string,
  ackedVersion: number | null,
  ackedAt: string | null,
  connected = true,
  firstSeenAt = "2026-03-01T11:00:00.000Z",
): InstanceView => ({
  instanceId,
  sdk: "switchyard-node/0.1.0",
  ackedVersion,
  ackedAt,
  connected,
  firstSeenAt,
  lastSeenAt: "2026-03-01T12:00:05.000Z",
  lastReportAt: null,
  relayId: null,
});
const off = { flag: "new-checkout", disabledAt: "2026-03-01T12:00:00.000Z", configVersion: 7, seq: 42 };
const guard: Guard = { windowSeconds: 60, intervalSeconds: 10, checks: [{ signal: "error_rate", max: 0.02 }], onBreach: "disable-flags" };

describe("deploy inputs", () => {
  it("counts the events behind the guard's rate checks only", () => {
    expect(countedEvents(guard)).toEqual(["error", "request"]);
    expect(countedEvents({ ...guard, checks: [{ signal: "latency_p99_ms", max: 300 }] })).toEqual([]);
  });

  it("records the first sighting of each connected instance serving the flag-off version, once", () => {
    const instances = [
      instance("a", 42, "2026-03-01T12:00:00.600Z"),
      instance("b", 43, "2026-03-01T12:00:01.100Z"),
      instance("c", 41, "2026-03-01T11:59:00.000Z"),
      instance("d", 50, "2026-03-01T12:00:00.300Z", false),
    ];
    const first = newAcks("dep_1", [off], instances, []);
    expect(first).toEqual([
      { deployId: "dep_1", flag: "new-checkout", instanceId: "a", acknowledgedAt: new Date("2026-03-01T12:00:00.600Z") },
      { deployId: "dep_1", flag: "new-checkout", instanceId: "b", acknowledgedAt: new Date("2026-03-01T12:00:01.100Z") },
    ]);
    // A later report moves `acked_at`; the first sighting stays.
    const later = [instance("a", 44, "2026-03-01T12:00:09.000Z"), ...instances.slice(1)];
    expect(newAcks("dep_1", [off], later, first)).toEqual([]);
  });

  it("shows propagation over the connected instances (the config version, and the change seq SDKs report), acknowledged when 95% serve it", () => {
    const instances = [instance("a", 42, "2026-03-01T12:00:00.600Z"), instance("c", 41, "2026-03-01T11:59:00.000Z")];
    const now = new Date("2026-03-01T12:00:05.000Z");
    expect(propagationViews(guard, [off], instances, [], now)).toEqual([
      {
        flag: "new-checkout",
        version: 7,
        seq: 42,
        acknowledged: 1,
        connected: 2,
        requiredRatio: 0.95,
        acknowledgedAt: null,
        seconds: null,
      },
    ]);
    const all = [instance("a", 42, "2026-03-01T12:00:00.600Z"), instance("c", 42, "2026-03-01T12:00:01.500Z")];
    expect(propagationViews(guard, [off], all, [], now)).toEqual([
      {
        flag: "new-checkout",
        version: 7,
        seq: 42,
        acknowledged: 2,
        connected: 2,
        requiredRatio: 0.95,
        acknowledgedAt: "2026-03-01T12:00:01.500Z",
        seconds: 1.5,
      },
    ]);
  });

  it("does not wait for instances that first appeared after the flag-off: they loaded it at start", () => {
    const now = new Date("2026-03-01T12:00:30.000Z");
    const instances = [
      instance("a", 42, "2026-03-01T12:00:00.700Z"),
      // Scaled up 10 s after the flag-off, not reported yet.
      instance("late", null, null, true, "2026-03-01T12:00:10.000Z"),
    ];
    expect(propagationViews(guard, [off], instances, [], now)).toEqual([
      {
        flag: "new-checkout",
        version: 7,
        seq: 42,
        acknowledged: 1,
        connected: 1,
        requiredRatio: 0.95,
        acknowledgedAt: "2026-03-01T12:00:00.700Z",
        seconds: 0.7,
      },
    ]);
  });
});
