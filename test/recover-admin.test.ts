import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { eventually } from "./support/eventually";
import { createScratchDatabase } from "./support/scratch-database";
import { runServerCommand, startServerProcess } from "./support/server-process";

// Every admin token lost: `switchyard-server recover-admin`, run where the server runs with its
// settings, prints a new one, audited.
const ADMIN = "sy_admin_recover_0123456789abcdef0123456789";
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const printedToken = (output: string) => /^ {2}(sy_admin_\S+)$/m.exec(output)?.[1];
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function auditOfTokens(url: string, token: string) {
  const res = await fetch(`${url}/api/audit?limit=50`, { headers: auth(token) });
  return ((await res.json()) as { entries: Array<{ action: string; actor: { name: string } }> }).entries.filter(
    (e) => e.action === "token.create",
  );
}

describe("recovering admin access", () => {
  it("on the embedded database: refused while the server holds the folder, then a token that works", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "switchyard-recover-"));
    dirs.push(dataDir);
    const env = { SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN };
    const running = await startServerProcess(env);
    try {
      const refused = await runServerCommand(["recover-admin"], { SWITCHYARD_DATA_DIR: dataDir });
      expect(refused.code).toBe(1);
      expect(refused.output).toContain("stop the server, run recover-admin, start it again");
    } finally {
      expect(await running.stop()).toBe(0);
    }

    const recovered = await runServerCommand(["recover-admin", "--name", "ops laptop"], { SWITCHYARD_DATA_DIR: dataDir });
    expect(recovered.code, recovered.output).toBe(0);
    const token = printedToken(recovered.output);
    expect(token).toBeDefined();

    const again = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir });
    try {
      const tokens = await fetch(`${again.url}/api/tokens`, { headers: auth(token!) });
      expect(tokens.status).toBe(200);
      expect(((await tokens.json()) as { tokens: Array<{ name: string; kind: string }> }).tokens).toContainEqual(
        expect.objectContaining({ name: "ops laptop", kind: "admin" }),
      );
      const created = await auditOfTokens(again.url, token!);
      expect(created[0]!.actor.name).toMatch(/^recover-admin \(.+@.+\)$/);
    } finally {
      await again.stop();
    }
    // Three embedded starts (PGlite opens its folder each time): slow on a loaded machine.
  }, 180_000);

  it("refuses an unknown command or argument with the usage", async () => {
    const unknown = await runServerCommand(["recover-admn"], {});
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain("Unknown command 'recover-admn'");
    expect(unknown.output).toContain("switchyard-server recover-admin [--name NAME]");
    const help = await runServerCommand(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.output).toContain("recover-admin");
  });

  it.skipIf(inject("postgresUrl") === null)(
    "on PostgreSQL: a running server accepts the new token within seconds",
    async () => {
      const scratch = await createScratchDatabase();
      const running = await startServerProcess({ DATABASE_URL: scratch.url, SWITCHYARD_ADMIN_TOKEN: ADMIN });
      try {
        const recovered = await runServerCommand(["recover-admin"], { DATABASE_URL: scratch.url });
        expect(recovered.code, recovered.output).toBe(0);
        const token = printedToken(recovered.output)!;
        const status = await eventually(
          async () => (await fetch(`${running.url}/api/flags`, { headers: auth(token) })).status,
          (s) => s === 200,
        );
        expect(status).toBe(200);
      } finally {
        await running.stop();
        await scratch.drop();
      }
    },
    120_000,
  );
});
