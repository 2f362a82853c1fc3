import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type DemoApp } from "./support/demo-app";
import { runCli as cli } from "./support/cli";
import { eventually } from "./support/eventually";
import { startServerProcess, type ServerProcess } from "./support/server-process";

const ADMIN = "sy_admin_e2e_deploy_watch_token01";
const FLAG = "new-checkout";

describe("switchyard deploy watch against the server and the demo checkout service (apps/demo, Node SDK)", () => {
  let server: ServerProcess;
  let dataDir: string;
  let demo: DemoApp;
  let cliEnv: Record<string, string>;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as Record<string, any>;
  };
  const watchArgs = [
    "deploy",
    "watch",
    "--service",
    "checkout",
    "--version",
    "1.4.2",
    "--env",
    "production",
    "--flag",
    FLAG,
    "--window",
    "12s",
    "--interval",
    "2s",
    "--max",
    "error_rate=0.02",
    "--min-samples",
    "100",
  ];
  /** What to show when an assertion on the CLI fails: both processes' output. */
  const context = (result: { out: string; err: string }) =>
    `CLI:\n${result.out}${result.err}\ndemo (last lines):\n${demo.output().split("\n").slice(-15).join("\n")}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-deploy-e2e-"));
    server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false" });
    await api("POST", "/api/flags", { key: FLAG });
    await api("PATCH", `/api/flags/${FLAG}/environments/production`, {
      enabled: true,
      fallthrough: { rollout: { weights: [50_000, 50_000] } },
    });
    const sdkToken = String(
      (await api("POST", "/api/tokens", { name: "checkout-service", kind: "server", environment: "production" })).token,
    );
    const deployToken = String((await api("POST", "/api/tokens", { name: "pipeline", kind: "deploy", environment: "production" })).token);
    cliEnv = { SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: deployToken };
    // 400 checkouts/s on a 50/50 rollout: about 400 requests per cohort in each 2 s interval.
    demo = await startDemoApp({ SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: sdkToken, DEMO_FLAG: FLAG, DEMO_RPS: "400" });
  });
  afterEach(async () => {
    await demo?.setMode("healthy");
  });
  afterAll(async () => {
    const demoExit = await demo?.stop();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    expect(demoExit, demo?.output()).toBe(0);
  });

  it("exits 3 when the flag's new code path fails: the flag is off in the admin API and in the demo's SDK, audited with the deploy", async () => {
    await demo.setMode("flagged");
    const result = await cli(watchArgs, cliEnv);
    const served = await demo.status();
    expect(result.err, context(result)).toBe("");
    expect(result.code, context(result)).toBe(3);
    const id = /Watching deploy (dep_\S+)/.exec(result.out)?.[1];
    expect(result.out).toMatch(/: MITIGATED\n/);
    expect(result.out).toMatch(
      new RegExp(`Turned off ${FLAG} \\(config version 3\\) at \\S+; acknowledged by 1 of 1 connected SDKs in \\d+\\.\\d s`),
    );

    expect(await api("GET", `/api/flags/${FLAG}/environments/production`)).toMatchObject({ enabled: false, version: 3 });
    // The demo's SDK serves the flag-off: its config version is the one the deploy wrote, and
    // nobody took the new path in the last two seconds — while checkouts kept coming.
    const deploy = await api("GET", `/api/deploys/${id}`);
    expect(served.configVersion).toBeGreaterThanOrEqual(Number(deploy.flagsOff[0].seq));
    expect(served).toMatchObject({ mode: "flagged", flagOnForAnyone: false, recent: { new: 0 } });
    expect(served.recent.old).toBeGreaterThan(400);
    expect(served.errors.new).toBeGreaterThan(0);
    const audit = await api("GET", `/api/audit?flag=${FLAG}&environment=production&limit=1`);
    expect(audit.entries[0]).toMatchObject({ deployId: id, actor: { name: `deploy ${id}` }, after: { enabled: false } });

    await demo.setMode("healthy");
    // Turning flags back on takes an admin token; the pipeline's deploy token only turns them off.
    const restored = await cli(["deploy", "restore-flags", String(id), "--json"], { ...cliEnv, SWITCHYARD_TOKEN: ADMIN });
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.out)).toMatchObject({ restored: [{ flag: FLAG, version: 4, fromVersion: 2 }] });
    // The restore reaches the SDK: users take the new path again.
    expect(await eventually(demo.status, (s) => s.flagOnForAnyone === true, 5_000)).toMatchObject({ flagOnForAnyone: true });
  });

  it("exits 4 when the failure does not depend on the flag, and leaves the flag on", async () => {
    await demo.setMode("everything");
    const result = await cli([...watchArgs, "--json"], cliEnv);
    expect(result.code, context(result)).toBe(4);
    const body = JSON.parse(result.out);
    expect(body).toMatchObject({ status: "rollback-required", final: true, flagsOff: [] });
    expect(body.decision.evidence.cohorts[0]).toMatchObject({ flag: FLAG, verdict: "clears" });
    expect(await api("GET", `/api/flags/${FLAG}/environments/production`)).toMatchObject({ enabled: true, version: 4 });
    expect(await demo.status()).toMatchObject({ flagOnForAnyone: true });
  });

  it("exits 1 on a usage error", async () => {
    const result = await cli(["deploy", "watch", "--service", "checkout"], cliEnv);
    expect(result.code).toBe(1);
    expect(result.err).toBe("switchyard: deploy watch needs --version, --env\n");
  });
});
