import { describe, expect, it } from "vitest";
import { captureIo, fakeServer } from "../fake-server";
import { run } from "../run";

const env = { SWITCHYARD_TOKEN: "sy_admin_cli_test_token_000000", SWITCHYARD_URL: "http://switchyard.test" };

const phase = (late: unknown[] = []) => ({
  version: 8,
  seq: 120,
  writtenAt: "2026-12-03T08:00:01.000Z",
  connected: 3,
  acknowledged: 3 - late.length,
  p50Ms: 410,
  maxMs: 930,
  late,
});
const rehearsal = (status: string, late: unknown[] = []) => ({
  id: "reh_1",
  environment: "staging",
  flag: "new-checkout",
  deployId: "dep_1",
  status,
  targetMs: 2000,
  summary: `${status}: …`,
  createdBy: "ci",
  startedAt: "2026-12-03T08:00:00.000Z",
  finishedAt: "2026-12-03T08:00:04.000Z",
  detection: { samplesAt: "2026-12-03T08:00:00.000Z", flagOffAt: "2026-12-03T08:00:01.000Z", ms: 1000 },
  flagOff: phase(late),
  restore: phase(),
  problem: null,
});

describe("switchyard rehearse", () => {
  it("asks the server to rehearse, prints the timings, and exits 0 when all acknowledged in time", async () => {
    const fake = fakeServer({ "POST /api/rehearsals": () => ({ status: 201, body: rehearsal("passed") }) });
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(["rehearse", "--env", "staging", "--flag", "new-checkout", "--target-ms", "2000"], io)).toBe(0);
    expect(fake.requests.map((r) => r.body)).toEqual([{ environment: "staging", flag: "new-checkout", targetMs: 2000 }]);
    expect(output.out).toBe(
      [
        "Rehearsal reh_1: new-checkout in staging — PASSED (target 2.00 s)",
        "Detection: breach pushed → flag off by the deploy engine in 1.00 s",
        "",
        "write     version  acknowledged  p50     max",
        "flag-off  8        3/3           0.41 s  0.93 s",
        "restore   8        3/3           0.41 s  0.93 s",
        "",
      ].join("\n"),
    );
  });

  it("names every late instance and exits 7", async () => {
    const late = [
      { instanceId: "pod-7", sdk: "switchyard-node", sdkVersion: "0.1.0", lastSeenAt: "2026-12-03T07:59:58.000Z", acknowledgedMs: null },
    ];
    const fake = fakeServer({ "POST /api/rehearsals": () => ({ status: 201, body: rehearsal("failed", late) }) });
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(["rehearse", "--env", "staging", "--flag", "new-checkout"], io)).toBe(7);
    expect(output.out).toContain(
      [
        "Not acknowledged within 2.00 s:",
        "write     instance  sdk              version  last seen                 acknowledged",
        "flag-off  pod-7     switchyard-node  0.1.0    2026-12-03T07:59:58.000Z  never",
      ].join("\n"),
    );
  });

  it("passes --allow-production, prints the server's body with --json, and exits 8 on an error", async () => {
    const fake = fakeServer({ "POST /api/rehearsals": () => ({ status: 201, body: rehearsal("error") }) });
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(["rehearse", "--env", "production", "--flag", "new-checkout", "--allow-production", "--json"], io)).toBe(8);
    expect(fake.requests.map((r) => r.body)).toEqual([{ environment: "production", flag: "new-checkout", allowProduction: true }]);
    expect(JSON.parse(output.out)).toEqual(rehearsal("error"));
  });

  it("exits 8 with the server's message when it refuses (production without --allow-production)", async () => {
    const message = "'production' is a production environment: …";
    const fake = fakeServer({ "POST /api/rehearsals": () => ({ status: 409, body: { error: { code: "CONFLICT", message } } }) });
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(["rehearse", "--env", "production", "--flag", "new-checkout"], io)).toBe(8);
    expect(output.err).toBe(`switchyard: Switchyard answered POST /api/rehearsals with 409: CONFLICT: ${message}\n`);
  });

  it("needs --env and --flag, and a target in milliseconds", async () => {
    const { io, output } = captureIo(fakeServer({}).fetch, "/", env);
    expect(await run(["rehearse", "--env", "staging"], io)).toBe(1);
    expect(await run(["rehearse", "--env", "staging", "--flag", "f", "--target-ms", "2s"], io)).toBe(1);
    expect(output.err).toBe(
      [
        "switchyard: usage: switchyard rehearse --env ENVIRONMENT --flag KEY [--target-ms N] [--allow-production] [--json]",
        "switchyard: --target-ms takes milliseconds from 1 to 60000, not '2s'",
        "",
      ].join("\n"),
    );
  });
});
