import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@switchyard/sdk-node";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { writeShopRepo } from "../apps/cli/test/shop-repo";
import { createScratchDatabase } from "./support/scratch-database";
import { adminApi } from "./support/admin-api";
import { startServerProcess, type ServerProcess } from "./support/server-process";

const ADMIN = "sy_admin_e2e_stale_report_000001";
const root = fileURLToPath(new URL("..", import.meta.url));
const quiet = { warn: () => {}, error: () => {} };

const api = (server: ServerProcess, method: string, path: string, body?: unknown) => adminApi(() => server, ADMIN)(method, path, body);

/** The CLI as a user runs it: its `bin`, a separate process, configured by the environment. */
function cli(server: ServerProcess, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["apps/cli/bin/switchyard.mjs", ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: ADMIN },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** SDK traffic: a Node SDK evaluates `flags` for a few users, then closes (which sends its metrics). */
async function sdkTraffic(server: ServerProcess, token: string, flags: string[]) {
  const client = createClient({ url: server.url, token, logger: quiet, metricsIntervalMs: 60_000 });
  await client.ready();
  for (const key of flags) for (const user of ["u1", "u2", "u3"]) client.isEnabled(key, { key: user });
  await client.close();
}

describe("stale flags end to end: SDK metrics, a scan by the CLI, the report", () => {
  const dirs: string[] = [];
  let server: ServerProcess;
  let sdkToken: string;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "switchyard-stale-e2e-"));
    const repo = mkdtempSync(join(tmpdir(), "switchyard-stale-repo-"));
    dirs.push(dataDir, repo);
    writeShopRepo(repo);
    server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false" });
    for (const key of ["new-checkout", "old-banner", "unused"]) await api(server, "POST", "/api/flags", { key, permanent: true });
    await api(server, "PATCH", "/api/flags/new-checkout/environments/production", { enabled: true });
    sdkToken = String(
      (await api(server, "POST", "/api/tokens", { name: "checkout-service", kind: "server", environment: "production" })).body.token,
    );
  });
  afterAll(async () => {
    await server?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("counts what SDKs evaluate: the environment becomes one whose silence is evidence", async () => {
    expect((await api(server, "GET", "/api/reports/stale")).body.coverage.reportingEnvironments).toEqual([]);
    await sdkTraffic(server, sdkToken, ["new-checkout"]);
    const report = (await api(server, "GET", "/api/reports/stale?fullyRolledOutDays=0")).body;
    expect(report.coverage.reportingEnvironments).toEqual(["production"]);
    // Telemetry younger than the period proves nothing yet: no NOT_EVALUATED for `unused`.
    expect(report.flags.map((e: { flag: string; reasons: Array<{ code: string }> }) => [e.flag, e.reasons.map((r) => r.code)])).toEqual([
      ["new-checkout", ["FULLY_ROLLED_OUT"]],
    ]);
  });

  it("scans a repository with the CLI and reports what the code says", async () => {
    const scan = await cli(server, ["scan", dirs[1] ?? "", "--branch", "main"]);
    expect(scan).toMatchObject({ code: 0, stdout: "Uploaded 7 references to 6 flags from 8 files for acme/shop@main\n" });
    expect(scan.stderr).toContain("These keys in code name no flag");
    const refs = (await api(server, "GET", "/api/code-refs?flag=new-checkout")).body.refs;
    expect(refs.map((r: { path: string; line: number; text: string }) => `${r.path}:${r.line} ${r.text}`)).toEqual([
      'docs/usage.md:2 Call `flags.isEnabled("new-checkout")` to check.',
      'src/checkout.ts:4 if (flags.isEnabled("new-checkout", user)) {',
    ]);

    // Archiving a flag the code still reads fails the CI step with exit code 6.
    expect((await api(server, "DELETE", "/api/flags/old-banner")).status).toBe(200);
    const gate = await cli(server, ["report", "stale", "--fail-on", "ARCHIVED_BUT_IN_CODE"]);
    expect(gate.code).toBe(6);
    expect(gate.stderr).toBe("Failing (--fail-on ARCHIVED_BUT_IN_CODE): old-banner ARCHIVED_BUT_IN_CODE\n");
    expect(gate.stdout).toMatch(/^FLAG +REASON +SINCE +EVIDENCE\n/);
    expect(gate.stdout).toContain("old-banner (archived)  ARCHIVED_BUT_IN_CODE");
    expect(gate.stdout).toContain("unused                 NOT_IN_CODE");

    const markdown = await cli(server, ["report", "stale", "--format", "markdown", "--fully-rolled-out-days", "0"]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain("### Stale flags: 3 of 3 flags\n");
    expect(markdown.stdout).toContain("| `new-checkout` | FULLY_ROLLED_OUT |");
    expect(markdown.stdout).toContain("| `old-banner` (archived) | ARCHIVED_BUT_IN_CODE |");
    expect(markdown.stdout).toContain(
      "| `unused` | NOT_IN_CODE | — | No reference in acme/shop@main | Safe to archive: DELETE /api/flags/unused |",
    );
    expect(markdown.stdout).toContain("SDK telemetry from production · code references from acme/shop@main</sub>");
  });
});

describe.skipIf(inject("postgresUrl") === null)("NOT_EVALUATED from real SDK traffic, on PostgreSQL", () => {
  let server: ServerProcess;
  let database: { url: string; drop(): Promise<void> };
  let sdkToken: string;
  beforeAll(async () => {
    database = await createScratchDatabase();
    server = await startServerProcess({ DATABASE_URL: database.url, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false" });
    for (const key of ["checkout-v2", "search-v2"]) {
      await api(server, "POST", "/api/flags", { key, permanent: true });
      await api(server, "PUT", `/api/flags/${key}/environments/production`, {
        enabled: true,
        fallthrough: { rollout: { weights: [50_000, 50_000] } },
      });
    }
    sdkToken = String((await api(server, "POST", "/api/tokens", { name: "shop", kind: "server", environment: "production" })).body.token);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("reports the flag SDKs stopped evaluating, and only that one", async () => {
    await sdkTraffic(server, sdkToken, ["checkout-v2", "search-v2"]);
    // Three weeks pass (by moving the data back): the flags, their history and the metrics age.
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      await sql`update flags set created_at = created_at - interval '21 days'`;
      await sql`update flag_config_versions set created_at = created_at - interval '21 days'`;
      await sql`update evaluation_counts set hour = hour - interval '21 days'`;
    } finally {
      await sql.end();
    }
    await sdkTraffic(server, sdkToken, ["checkout-v2"]);

    const report = (await api(server, "GET", "/api/reports/stale?environment=production")).body;
    expect(report.flags).toEqual([
      {
        flag: "search-v2",
        name: "search-v2",
        kind: "release",
        owner: null,
        archived: false,
        reasons: [
          {
            code: "NOT_EVALUATED",
            since: expect.stringMatching(/^\d{4}-/),
            summary: expect.stringMatching(
              /^No evaluation in production for 2[01] days \(last \d{4}-\d\d-\d\d\), though SDKs there report$/,
            ),
            facts: {
              days: 14,
              environments: [{ environment: "production", lastEvaluatedAt: expect.stringMatching(/^\d{4}-/) }],
              unobservedEnvironments: [],
              telemetrySince: expect.stringMatching(/^\d{4}-/),
            },
            suggestion: "Nothing reads it: check that the code behind it is gone, then archive the flag",
          },
        ],
      },
    ]);
    const gate = await cli(server, ["report", "stale", "--env", "production", "--fail-on", "NOT_EVALUATED"]);
    expect(gate.code).toBe(6);
    expect(gate.stderr).toBe("Failing (--fail-on NOT_EVALUATED): search-v2 NOT_EVALUATED\n");
  });
});
