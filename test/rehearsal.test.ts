import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type SwitchyardClient } from "@switchyard/sdk-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/cli";
import { eventually } from "./support/eventually";
import { startSdkProcess, type SdkProcess } from "./support/sdk-process";
import { startServerProcess, type ServerProcess } from "./support/server-process";

const ADMIN = "sy_admin_e2e_rehearsal_token_0001";
const FLAG = "new-checkout";
const quiet = { warn: () => {}, error: () => {} };

/**
 * Rollback rehearsals against the real server on the demo data, with real Node SDKs: in this
 * process, and one in a child process that is frozen with SIGSTOP (its socket stays open, so the
 * server still counts it as connected, but it acknowledges nothing).
 */
describe("switchyard rehearse against the real server and Node SDKs", () => {
  let server: ServerProcess;
  let dataDir: string;
  let sdkToken: string;
  const clients: SwitchyardClient[] = [];
  const processes: SdkProcess[] = [];
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const cli = (args: string[]) => runCli(args, { SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: ADMIN });
  const connectSdks = async (n: number) => {
    const started = Array.from({ length: n }, () => createClient({ url: server.url, token: sdkToken, logger: quiet }));
    clients.push(...started);
    await Promise.all(started.map((c) => c.ready()));
    return started;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-rehearsal-e2e-"));
    server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "true" });
    await api("PATCH", `/api/flags/${FLAG}/environments/staging`, {
      enabled: true,
      fallthrough: { rollout: { weights: [50_000, 50_000] } },
    });
    sdkToken = String((await api("POST", "/api/tokens", { name: "checkout-service", kind: "server", environment: "staging" })).body.token);
  }, 120_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(processes.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("passes with 10 SDKs: the flag goes off and back, every SDK acknowledges both, the CLI exits 0", async () => {
    const sdks = await connectSdks(10);
    const before = (await api("GET", `/api/flags/${FLAG}/environments/staging`)).body;

    const run = await cli(["rehearse", "--env", "staging", "--flag", FLAG, "--json"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const rehearsal = JSON.parse(run.out);
    expect(rehearsal).toMatchObject({
      environment: "staging",
      flag: FLAG,
      status: "passed",
      targetMs: 2000,
      problem: null,
      flagOff: { version: before.version + 1, connected: 10, acknowledged: 10, late: [] },
      restore: { version: before.version + 2, connected: 10, acknowledged: 10, late: [] },
    });
    process.stdout.write(
      `[rehearsal] 10 SDKs: detection ${rehearsal.detection.ms} ms; flag-off p50 ${rehearsal.flagOff.p50Ms} ms max ${rehearsal.flagOff.maxMs} ms; restore p50 ${rehearsal.restore.p50Ms} ms max ${rehearsal.restore.maxMs} ms\n`,
    );
    // Every SDK serves the restored config, which is the one from before.
    expect(sdks.map((c) => c.configVersion())).toEqual(sdks.map(() => rehearsal.restore.seq));
    const after = (await api("GET", `/api/flags/${FLAG}/environments/staging`)).body;
    expect({ ...after, version: before.version, updatedAt: before.updatedAt }).toEqual(before);
    expect((await api("GET", `/api/flags/${FLAG}`)).body.lastRehearsals).toEqual({ staging: rehearsal });
  }, 120_000);

  it("fails naming a frozen SDK process with its SDK, version and last-seen time; the CLI exits 7", async () => {
    const frozen = await startSdkProcess({ SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: sdkToken });
    processes.push(frozen);
    await connectSdks(2);
    // Frozen after its first report (the acknowledgement a second after its flags arrived), as a
    // process that has been running is: the server knows its SDK and when it last reported.
    const row = await eventually(
      async () =>
        (await api("GET", "/api/environments/staging/instances")).body.instances.find(
          (i: { instanceId: string }) => i.instanceId === frozen.instanceId,
        ),
      (i) => typeof i?.lastReportAt === "string",
    );
    frozen.freeze();
    const lastSeen = String(row.lastReportAt);

    const run = await cli(["rehearse", "--env", "staging", "--flag", FLAG]);
    expect(run.code).toBe(7);
    expect(run.out).toMatch(/^Rehearsal reh_\S+: new-checkout in staging — FAILED \(target 2\.00 s\)\n/);
    expect(run.out).toMatch(/flag-off +\d+ +2\/3 /);
    for (const write of ["flag-off", "restore"])
      expect(run.out).toMatch(
        new RegExp(`${write} +${frozen.instanceId} +switchyard-node +0\\.1\\.0 +${lastSeen.replace(/\./g, "\\.")} +never`),
      );
    // Restored all the same.
    expect((await api("GET", `/api/flags/${FLAG}/environments/staging`)).body.enabled).toBe(true);
  }, 120_000);

  it("refuses the production environment unless --allow-production, and changes nothing there", async () => {
    const before = (await api("GET", `/api/flags/${FLAG}/environments/production`)).body;
    const run = await cli(["rehearse", "--env", "production", "--flag", FLAG]);
    expect(run.code).toBe(8);
    expect(run.err).toBe(
      "switchyard: Switchyard answered POST /api/rehearsals with 409: CONFLICT: 'production' is a production environment: a rehearsal turns " +
        "'new-checkout' off there for real, for every user. Rehearse in staging, or pass \"allowProduction\": true (switchyard rehearse --allow-production) to run it anyway\n",
    );
    expect((await api("GET", `/api/flags/${FLAG}/environments/production`)).body).toEqual(before);
  }, 60_000);

  it("reports an unrehearsed kill switch as stale until a rehearsal passes", async () => {
    const reasons = async () =>
      ((await api("GET", "/api/reports/stale")).body.flags as Array<{ flag: string; reasons: Array<{ code: string }> }>)
        .filter((f) => f.reasons.some((r) => r.code === "KILL_SWITCH_NOT_REHEARSED"))
        .map((f) => f.flag);
    expect(await reasons()).toEqual(["maintenance-mode"]);
    expect((await cli(["report", "stale", "--fail-on", "KILL_SWITCH_NOT_REHEARSED"])).code).toBe(6);

    await connectSdks(1);
    expect((await cli(["rehearse", "--env", "staging", "--flag", "maintenance-mode"])).code).toBe(0);
    expect(await reasons()).toEqual([]);
    expect((await cli(["report", "stale", "--fail-on", "KILL_SWITCH_NOT_REHEARSED"])).code).toBe(0);
  }, 120_000);
});
