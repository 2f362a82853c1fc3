import { describe, expect, it } from "vitest";
import type { InstanceView } from "../services/sdk-usage";
import { instancesToWaitFor, percentile, phaseResult, recordAcknowledgements, splitSdk, type Write } from "./acknowledgements";

const T = Date.parse("2026-12-03T08:00:00.000Z");
const iso = (ms: number) => new Date(T + ms).toISOString();
const write: Write = { version: 7, seq: 120, writtenAtMs: T };

const instance = (id: string, fields: Partial<InstanceView> = {}): InstanceView => ({
  instanceId: id,
  sdk: "switchyard-node/0.1.0",
  ackedVersion: 100,
  ackedAt: iso(-60_000),
  connected: true,
  firstSeenAt: iso(-120_000),
  lastSeenAt: iso(-1_000),
  lastReportAt: iso(-30_000),
  relayId: null,
  ...fields,
});

describe("rehearsal acknowledgements", () => {
  it("waits for connected instances known at the write, not for closed streams or later arrivals", () => {
    const tracked = instancesToWaitFor(
      [instance("a"), instance("closed", { connected: false }), instance("later", { firstSeenAt: iso(500) })],
      write,
    );
    expect(tracked.map((t) => t.instance.instanceId)).toEqual(["a"]);
  });

  it("keeps each instance's first acknowledgement of the write's seq, and lists late and silent ones", () => {
    let tracked = instancesToWaitFor([instance("a"), instance("b"), instance("c"), instance("frozen")], write);
    tracked = recordAcknowledgements(
      tracked,
      [
        instance("a", { ackedVersion: 120, ackedAt: iso(400) }),
        instance("b", { ackedVersion: 121, ackedAt: iso(900) }),
        instance("c", { ackedVersion: 119, ackedAt: iso(300) }),
        instance("frozen"),
      ],
      write,
    );
    // A later read after `a` moved on to another version does not move its acknowledgement.
    tracked = recordAcknowledgements(
      tracked,
      [
        instance("a", { ackedVersion: 130, ackedAt: iso(5_000) }),
        instance("b", { ackedVersion: 121, ackedAt: iso(900) }),
        instance("c", { ackedVersion: 120, ackedAt: iso(2_500) }),
        instance("frozen"),
      ],
      write,
    );
    expect(phaseResult(write, tracked, 2_000)).toEqual({
      version: 7,
      seq: 120,
      writtenAt: iso(0),
      connected: 4,
      acknowledged: 2,
      p50Ms: 900,
      maxMs: 2_500,
      late: [
        { instanceId: "c", sdk: "switchyard-node", sdkVersion: "0.1.0", lastSeenAt: iso(-30_000), acknowledgedMs: 2_500 },
        { instanceId: "frozen", sdk: "switchyard-node", sdkVersion: "0.1.0", lastSeenAt: iso(-30_000), acknowledgedMs: null },
      ],
    });
  });

  it("says when nobody was connected, and names an instance that never reported by its connection", () => {
    expect(phaseResult(write, [], 2_000)).toMatchObject({ connected: 0, acknowledged: 0, p50Ms: null, maxMs: null, late: [] });
    const silent = instancesToWaitFor([instance("new", { sdk: null, lastReportAt: null })], write);
    expect(phaseResult(write, silent, 2_000).late).toEqual([
      { instanceId: "new", sdk: null, sdkVersion: null, lastSeenAt: iso(-120_000), acknowledgedMs: null },
    ]);
  });

  it("splits the SDK's name from its version, and takes nearest-rank percentiles", () => {
    expect(splitSdk("my-sdk")).toEqual({ sdk: "my-sdk", sdkVersion: null });
    expect(splitSdk("@acme/flags/2.0.0")).toEqual({ sdk: "@acme/flags", sdkVersion: "2.0.0" });
    expect(percentile([10, 20, 30, 40], 0.5)).toBe(20);
    expect(percentile([10, 20, 30], 0.5)).toBe(20);
    expect(percentile([], 0.5)).toBeNull();
  });
});
