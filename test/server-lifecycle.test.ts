import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServerProcess } from "./support/server-process";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-e2e-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the server process", () => {
  it("keeps data on the embedded database across a restart", async () => {
    const dataDir = tempDir();
    const token = "sy_admin_e2e_restart_token_00001";
    const env = { SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: token };
    const auth = { authorization: `Bearer ${token}` };

    const first = await startServerProcess(env);
    const created = await fetch(`${first.url}/api/flags`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ key: "survives-restart" }),
    });
    expect(created.status).toBe(201);
    const toggled = await fetch(`${first.url}/api/flags/survives-restart/environments/production`, {
      method: "PATCH",
      headers: auth,
      body: JSON.stringify({ enabled: true }),
    });
    expect(toggled.status).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await startServerProcess(env);
    try {
      const config = await fetch(`${second.url}/api/flags/survives-restart/environments/production`, { headers: auth });
      expect(await config.json()).toMatchObject({ flag: "survives-restart", version: 2, enabled: true });
      const demo = await fetch(`${second.url}/api/flags/new-checkout`, { headers: auth });
      expect(demo.status).toBe(200);
      // The admin token is printed at the first start only.
      expect(second.output()).not.toContain("Admin token");
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it("prints a generated admin token and a curl that works", async () => {
    const server = await startServerProcess({ SWITCHYARD_DATA_DIR: tempDir() });
    try {
      const curl = /curl -H "Authorization: Bearer (sy_admin_[0-9A-Za-z]{32})" (http:\/\/\S+)/.exec(server.output());
      expect(curl).not.toBeNull();
      const res = await fetch(curl![2]!, { headers: { authorization: `Bearer ${curl![1]}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { flags: Array<{ key: string }> }).flags.map((f) => f.key)).toEqual([
        "maintenance-mode",
        "new-checkout",
        "search-ranking",
      ]);
      // Whoever starts it on the embedded database learns that it is not for production.
      expect(server.output()).toContain("it does not fsync");
      expect(server.output()).toContain("Use PostgreSQL (DATABASE_URL) in production");
    } finally {
      await server.stop();
    }
  });

  it("refuses bad settings, naming each one", async () => {
    const server = await startServerProcess(
      { PORT: "70000", DATABASE_URL: "mysql://x", SWITCHYARD_ADMIN_TOKEN: "short" },
      { waitReady: false },
    );
    expect(await server.exited).toBe(2);
    expect(server.output()).toContain("PORT: must be between 0 and 65535");
    expect(server.output()).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(server.output()).toContain("SWITCHYARD_ADMIN_TOKEN: must be at least 32 characters");
  });

  it("refuses a second server on the same data folder", async () => {
    const dataDir = tempDir();
    const first = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir });
    try {
      const second = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir }, { waitReady: false });
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain("is in use by another Switchyard server");
    } finally {
      await first.stop();
    }
  });
});
