import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type SwitchyardClient } from "@switchyard/sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./support/server-process";

const root = fileURLToPath(new URL("..", import.meta.url));
const ADMIN = "sy_admin_e2e_deploy_watch_token01";
const FLAG = "new-checkout";
const quiet = { warn: () => {}, error: () => {} };

/** `switchyard …` as a pipeline runs it: the bin, its exit code and output. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["apps/cli/bin/switchyard.mjs", ...args], { cwd: root, env: { PATH: process.env.PATH ?? "", ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

/**
 * A checkout service using the Node SDK: 20 users every 50 ms, each a `request`, and an `error`
 * for one in `oneIn(onNewVariation)` requests.
 */
function checkoutApp(client: SwitchyardClient, oneIn: (onNew: boolean) => number) {
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    for (let i = 0; i < 20; i++) {
      const context = { key: `user-${tick}-${i}` };
      const onNew = client.isEnabled(FLAG, context);
      client.track("request", context);
      if ((tick * 20 + i) % oneIn(onNew) === 0) client.track("error", context);
    }
  }, 50);
  return () => clearInterval(timer);
}

describe("switchyard deploy watch against the server and an application using the Node SDK", () => {
  let server: ServerProcess;
  let dataDir: string;
  let client: SwitchyardClient;
  let cliEnv: Record<string, string>;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return (await res.json()) as Record<string, any>;
  };
  const watchArgs = ["deploy", "watch", "--service", "checkout", "--version", "1.4.2", "--env", "production", "--flag", FLAG, "--window", "12s", "--interval", "2s", "--max", "error_rate=0.02", "--min-samples", "100"];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-deploy-e2e-"));
    server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false" });
    await api("POST", "/api/flags", { key: FLAG });
    await api("PATCH", `/api/flags/${FLAG}/environments/production`, { enabled: true, fallthrough: { rollout: { weights: [50_000, 50_000] } } });
    const sdkToken = String((await api("POST", "/api/tokens", { name: "checkout-service", kind: "server", environment: "production" })).token);
    const deployToken = String((await api("POST", "/api/tokens", { name: "pipeline", kind: "deploy", environment: "production" })).token);
    cliEnv = { SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: deployToken };
    client = createClient({ url: server.url, token: sdkToken, logger: quiet, metricsIntervalMs: 250 });
    await client.ready();
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("exits 3 when the flag's new code path fails: the flag is off in the admin API and the SDK, audited with the deploy", async () => {
    const stop = checkoutApp(client, (onNew) => (onNew ? 10 : 200));
    const result = await cli(watchArgs, cliEnv).finally(stop);
    expect(result.err).toBe("");
    expect(result.code).toBe(3);
    const id = /Watching deploy (dep_\S+)/.exec(result.out)?.[1];
    expect(result.out).toMatch(/: MITIGATED\n/);
    expect(result.out).toMatch(new RegExp(`Turned off ${FLAG} \\(config version 3\\) at \\S+; acknowledged by 1 of 1 connected SDKs in \\d+\\.\\d s`));

    expect(await api("GET", `/api/flags/${FLAG}/environments/production`)).toMatchObject({ enabled: false, version: 3 });
    expect(Array.from({ length: 50 }, (_, i) => client.isEnabled(FLAG, { key: `after-${i}` })).some(Boolean)).toBe(false);
    const audit = await api("GET", `/api/audit?flag=${FLAG}&environment=production&limit=1`);
    expect(audit.entries[0]).toMatchObject({ deployId: id, actor: { name: `deploy ${id}` }, after: { enabled: false } });

    const restored = await cli(["deploy", "restore-flags", String(id), "--json"], cliEnv);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.out)).toMatchObject({ restored: [{ flag: FLAG, version: 4, fromVersion: 2 }] });
  });

  it("exits 4 when the failure does not depend on the flag, and leaves the flag on", async () => {
    const stop = checkoutApp(client, () => 12);
    const result = await cli([...watchArgs, "--json"], cliEnv).finally(stop);
    expect(result.code).toBe(4);
    const body = JSON.parse(result.out);
    expect(body).toMatchObject({ status: "rollback-required", final: true, flagsOff: [] });
    expect(body.decision.evidence.cohorts[0]).toMatchObject({ flag: FLAG, verdict: "clears" });
    expect(await api("GET", `/api/flags/${FLAG}/environments/production`)).toMatchObject({ enabled: true, version: 4 });
  });

  it("exits 1 on a usage error", async () => {
    const result = await cli(["deploy", "watch", "--service", "checkout"], cliEnv);
    expect(result.code).toBe(1);
    expect(result.err).toBe("switchyard: deploy watch needs --version, --env\n");
  });
});
