import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type SwitchyardClient } from "@switchyard/sdk-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminApi } from "./support/admin-api";
import { freePort, startServerProcess, type ServerProcess } from "./support/server-process";

const ADMIN = "sy_admin_e2e_node_sdk_token_0001";
const quiet = { warn: () => {}, error: () => {} };

const api = (server: ServerProcess, method: string, path: string, body?: unknown) => adminApi(() => server, ADMIN)(method, path, body);

/** The Node SDK as a user imports it, against the real server process. */
describe("the Node SDK against the server", () => {
  const dirs: string[] = [];
  const clients: SwitchyardClient[] = [];
  let server: ServerProcess;
  let dataDir: string;
  let port: number;
  let sdkToken: string;
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-sdk-e2e-"));
    dirs.push(dir);
    return dir;
  };
  const client = (options: Partial<Parameters<typeof createClient>[0]> = {}) => {
    const c = createClient({ url: `http://127.0.0.1:${port}`, token: sdkToken, logger: quiet, metricsIntervalMs: 60_000, ...options });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dataDir = tempDir();
    port = await freePort();
    server = await startServerProcess({
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_ADMIN_TOKEN: ADMIN,
      SWITCHYARD_DEMO: "false",
      PORT: String(port),
    });
    await api(server, "POST", "/api/flags", { key: "new-checkout" });
    await api(server, "PUT", "/api/flags/new-checkout/environments/production", {
      enabled: true,
      rules: [{ id: "pro", conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variation: 0 } }],
      fallthrough: { variation: 1 },
    });
    sdkToken = String(
      (await api(server, "POST", "/api/tokens", { name: "checkout-service", kind: "server", environment: "production" })).body.token,
    );
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("evaluates locally and sees a toggle as a change, then acknowledges the new version", async () => {
    const flags = client();
    await flags.ready();
    expect(flags.isEnabled("new-checkout", { key: "user-1", plan: "pro" })).toBe(true);
    expect(flags.isEnabled("new-checkout", { key: "user-2", plan: "free" })).toBe(false);
    expect(flags.variationDetail("new-checkout", { key: "user-1", plan: "pro" }, false)).toMatchObject({
      value: true,
      reason: "TARGETING_MATCH",
      ruleId: "pro",
    });

    const changed = new Promise<string[]>((resolve) => flags.on("change", resolve));
    const started = Date.now();
    await api(server, "PATCH", "/api/flags/new-checkout/environments/production", { enabled: false });
    expect(await changed).toEqual(["new-checkout"]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(flags.isEnabled("new-checkout", { key: "user-1", plan: "pro" })).toBe(false);

    // The SDK reports the version it serves; the server counts it as acknowledged.
    await expect
      .poll(
        async () => {
          const instances = (await api(server, "GET", "/api/environments/production/instances")).body;
          return instances.instances.find((i: { instanceId: string }) => i.instanceId === flags.instanceId);
        },
        { timeout: 5_000 },
      )
      .toMatchObject({ ackedVersion: flags.configVersion(), connected: true });
    await api(server, "PATCH", "/api/flags/new-checkout/environments/production", { enabled: true });
  });

  it("stops on a rejected token with a clear error", async () => {
    const flags = client({ token: "sy_server_this-token-does-not-exist", readyTimeoutMs: 5_000 });
    const error = new Promise<Error>((resolve) => flags.on("error", resolve));
    await expect(flags.ready()).rejects.toThrow(/401/);
    expect((await error).message).toMatch(/401/);
    expect(flags.variation("new-checkout", { key: "u" }, "fallback")).toBe("fallback");
  });

  it("keeps serving through a server crash and restart, and from its backup file with the server down", async () => {
    const backupFile = join(tempDir(), "flags.json");
    const flags = client({ backupFile, initialRetryDelayMs: 100, maxRetryDelayMs: 500 });
    await flags.ready();
    expect(flags.isEnabled("new-checkout", { key: "u", plan: "pro" })).toBe(true);

    await server.kill(); // a crash: no graceful shutdown, the embedded database's pid file stays behind
    // Server gone: the last known values are still served.
    expect(flags.isEnabled("new-checkout", { key: "u", plan: "pro" })).toBe(true);

    // A fresh process (e.g. a restart during the outage) serves from the backup file at once.
    const restarted = client({ backupFile, readyTimeoutMs: 300 });
    await restarted.ready(); // the backup file counts as data
    expect(restarted.isEnabled("new-checkout", { key: "u", plan: "pro" })).toBe(true);
    expect(restarted.configVersion()).toBe(flags.configVersion());

    // The server comes back; a change made now reaches the first client (it reconnected).
    server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, PORT: String(port) });
    await api(server, "PATCH", "/api/flags/new-checkout/environments/production", { rules: [] });
    await expect.poll(() => flags.isEnabled("new-checkout", { key: "u", plan: "pro" }), { timeout: 10_000, interval: 100 }).toBe(false);
  });
});
