import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient, type SwitchyardClient } from "@switchyard/sdk-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createScratchDatabase } from "./support/scratch-database";
import { freePort, startServerProcess, type ServerProcess } from "./support/server-process";

const run = promisify(execFile);
const adminToken = "sy_admin_e2e_restore_token_00001";
const auth = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };

async function call(server: ServerProcess, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${path}`, { method, headers: auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  // Parsed boundary: the admin API answers JSON objects.
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/*
 * The operator's path after a bad migration or a lost disk: restore last night's dump. Every
 * version the server sends afterwards is below what running SDKs hold; before database epochs,
 * they ignored it as old and kept serving the values of a history that no longer exists.
 */
describe.skipIf(inject("postgresUrl") === null)("SDKs follow a database restored from a dump", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let server: ServerProcess;
  let env: Record<string, string>;
  let sdk: SwitchyardClient;
  const warnings: string[] = [];
  const dumpDir = mkdtempSync(join(tmpdir(), "switchyard-dump-"));

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    env = { DATABASE_URL: scratch.url, SWITCHYARD_ADMIN_TOKEN: adminToken, PORT: String(await freePort()) };
    server = await startServerProcess(env);
  }, 120_000);
  afterAll(async () => {
    await sdk?.close();
    await server?.stop();
    await scratch?.drop();
    rmSync(dumpDir, { recursive: true, force: true });
  });

  it("serves the restored values, reports the restored version, and warns once", async () => {
    const { token } = await call(server, "POST", "/api/tokens", { name: "checkout", kind: "server", environment: "production" });
    await call(server, "POST", "/api/flags", { key: "restored-flag" });
    await call(server, "PATCH", "/api/flags/restored-flag/environments/production", { enabled: true });
    const dump = join(dumpDir, "nightly.dump");
    await run("pg_dump", ["--format=custom", "--file", dump, scratch.url]);

    // After the dump: the flag goes off and the history moves on by several versions.
    await call(server, "PATCH", "/api/flags/restored-flag/environments/production", { enabled: false });
    for (const key of ["later-1", "later-2", "later-3"]) await call(server, "POST", "/api/flags", { key });
    sdk = createClient({
      url: server.url,
      token: String(token),
      logger: { warn: (message: string) => warnings.push(message), error: () => {} },
    });
    await sdk.ready();
    expect(sdk.isEnabled("restored-flag", { key: "u1" })).toBe(false);
    const before = sdk.configVersion() ?? 0;

    await server.stop();
    await run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--dbname", scratch.url, dump]);
    server = await startServerProcess(env);
    const restored = await call(server, "GET", "/api/flags/restored-flag/environments/production");

    // The stream reconnects to the same address on its own, with its old Last-Event-ID.
    await expect.poll(() => sdk.isEnabled("restored-flag", { key: "u1" }), { timeout: 60_000, interval: 200 }).toBe(true);
    const after = sdk.configVersion() ?? 0;
    // Flags created after the dump are gone from what the SDK serves, as from the database.
    expect({
      restoredEnabled: restored.enabled,
      wentBack: after < before,
      later: sdk.variationDetail("later-1", { key: "u1" }, false).errorCode,
    }).toEqual({ restoredEnabled: true, wentBack: true, later: "FLAG_NOT_FOUND" });
    expect(warnings.filter((w) => w.includes("another history"))).toHaveLength(1);

    // Its acknowledgement counts in the restored history: the version it serves now, not the old one.
    await expect
      .poll(
        async () => {
          const { instances } = await call(server, "GET", "/api/environments/production/instances");
          return (instances as Array<{ ackedVersion: number | null }>).map((i) => i.ackedVersion);
        },
        { timeout: 30_000, interval: 250 },
      )
      .toContain(after);
  }, 180_000);
});
