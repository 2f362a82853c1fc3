import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type SwitchyardClient } from "@switchyard/sdk-node";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromiumMissing, chromiumRequired, launchChromium } from "../support/chromium";
import { eventually } from "../support/eventually";
import { startServerProcess, type ServerProcess } from "../support/server-process";

/**
 * The console (apps/console) in headless Chromium, served by the real server process on its own
 * port, doing what an admin does: sign in, switch flags, edit rules, restore versions, watch
 * another admin's change arrive, read a mitigated deploy, act on the stale report. Screenshots of
 * the main pages go to docs/screenshots/ (the README shows two of them).
 */

const root = fileURLToPath(new URL("../..", import.meta.url));
const consoleDir = join(root, "apps/console");
const screenshots = join(root, "docs/screenshots");
const missing = chromiumMissing("the console end-to-end test");

const ADMIN = "sy_admin_e2e_console_token_000001";
const FLAG = "console-e2e";
/** What the issue asks of live updates between two admins. */
const LIVE_MS = 2_000;
const quiet = { warn: () => {}, error: () => {} };
/** A start on the embedded database takes 40 s on a busy 2-core machine. */
const START_MS = 90_000;

/** The server serves apps/server/console; `pnpm build` writes it, and this test does when it is missing. */
function ensureConsoleBuilt(): void {
  if (existsSync(join(consoleDir, "../server/console/index.html"))) return;
  const vite = join(consoleDir, "node_modules/vite/bin/vite.js");
  const built = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: consoleDir, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building the console failed:\n${built.stdout}${built.stderr}`);
}

describe.skipIf(missing !== undefined && !chromiumRequired)("the console in headless Chromium", () => {
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let sdk: SwitchyardClient | undefined;
  const contexts: BrowserContext[] = [];
  const logs = new Map<Page, string[]>();

  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
  }

  async function openPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser!.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    const log: string[] = [];
    logs.set(page, log);
    page.on("console", (message) => log.push(`console.${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => log.push(`pageerror: ${error.message}`));
    return page;
  }

  /** What the page and the server said, for a failure message. */
  const diagnostics = (page: Page) =>
    ["--- page log ---", ...(logs.get(page) ?? []), "--- server output ---", server?.output() ?? ""].join("\n");

  async function signIn(page: Page, path = "/"): Promise<void> {
    await page.goto(`${server!.url}${path}`);
    await page.getByLabel("Admin token").fill(ADMIN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
  }

  const shoot = (page: Page, name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    browser = await launchChromium(missing);
    ensureConsoleBuilt();
    mkdirSync(screenshots, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-e2e-console-"));
    server = await startServerProcess(
      { SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "true" },
      { readyTimeoutMs: START_MS },
    );
    const token = await api("POST", "/api/tokens", { name: "console-e2e-sdk", kind: "server", environment: "production" });
    expect(token.status).toBe(201);
    sdk = createClient({ url: server.url, token: token.body.token, logger: quiet, metricsIntervalMs: 60_000 });
    await sdk.ready();
  }, START_MS + 60_000);

  // Every open console polls the server: close a test's pages before the next test starts.
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await sdk?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("is served at / next to the API, which keeps its JSON answers", async () => {
    const page = await fetch(`${server!.url}/flags/${FLAG}/production`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toContain('<div id="app"></div>');
    expect((await fetch(`${server!.url}/healthz`)).status).toBe(200);
    const unknown = await fetch(`${server!.url}/api/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: "NOT_FOUND", message: "No route for GET /api/nothing-here" } });
  });

  it("refuses a wrong admin token with a clear sign-in error", async () => {
    const page = await openPage();
    await page.goto(server!.url);
    await shoot(page, "sign-in");
    await page.getByLabel("Admin token").fill("sy_admin_not_a_real_token_0000");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.locator("#sign-in-error").textContent())
      .toBe("The server does not know this token. Check that you pasted the whole admin token (sy_admin_…).");
    expect(await page.evaluate<number>("sessionStorage.length")).toBe(0);
  });

  it("signs in with the admin token, keeps it for the tab, and forgets it on sign-out", async () => {
    const page = await openPage();
    await signIn(page);
    expect(await page.evaluate<string[]>("Object.values(sessionStorage)")).toEqual([ADMIN]);
    await page.reload();
    await page.getByRole("heading", { name: "Flags" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Admin token").waitFor();
    expect(await page.evaluate<number>("sessionStorage.length")).toBe(0);
  });

  it("is usable from the keyboard: sign in with Enter, skip to content, Space on a switch", async () => {
    const page = await openPage();
    await page.goto(server!.url);
    await page.getByLabel("Admin token").fill(ADMIN);
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    expect(await page.title()).toBe("Flags · Switchyard");
    await page.keyboard.press("Tab");
    expect(await page.evaluate<string>("document.activeElement.textContent")).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate<string>("document.activeElement.id")).toBe("main");

    const toggle = page.getByRole("switch", { name: "maintenance-mode in development" });
    await toggle.focus();
    await page.keyboard.press("Space");
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("true");
    expect((await api("GET", "/api/flags/maintenance-mode/environments/development")).body).toMatchObject({ enabled: true });
    await page.getByRole("link", { name: "Deploys" }).press("Enter");
    await expect.poll(() => page.title()).toBe("Deploys · Switchyard");
  });

  it("creates a flag and turns it on in production, and a Node SDK serves it", async () => {
    const page = await openPage();
    await signIn(page);
    await page.getByRole("button", { name: "New flag" }).click();
    await page.getByLabel("Key", { exact: true }).fill(FLAG);
    await page.getByLabel("Name", { exact: true }).fill("Console e2e");
    await page.getByLabel("Tags (comma-separated)").fill("console, e2e");
    await page.getByRole("button", { name: "Create flag" }).click();
    const toggle = page.getByRole("switch", { name: `${FLAG} in production` });
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("false");
    expect(sdk!.isEnabled(FLAG, { key: "user-1" })).toBe(false);

    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("true");
    await eventually(
      async () => sdk!.isEnabled(FLAG, { key: "user-1" }),
      (enabled) => enabled,
      5_000,
    );
    expect(await api("GET", `/api/flags/${FLAG}/environments/production`)).toMatchObject({ body: { enabled: true, version: 2 } });
    const audit = await api("GET", `/api/audit?flag=${FLAG}&environment=production&limit=1`);
    expect(audit.body.entries[0]).toMatchObject({ actor: { name: "first admin" }, comment: "Turned on in the console" });

    await page.getByRole("searchbox", { name: "Search" }).fill("console");
    await expect.poll(() => page.locator("table.flags tbody tr").count()).toBe(1);
    await page.getByRole("searchbox", { name: "Search" }).fill("");
    await shoot(page, "flags");
    const phone = await openPage({ width: 390, height: 844 });
    await signIn(phone);
    await phone.locator(`tr[data-flag="${FLAG}"]`).waitFor();
    await shoot(phone, "flags-phone");
  });

  it("shows the API's message next to a rule's invalid regex and saves nothing", async () => {
    const page = await openPage();
    await signIn(page, `/flags/${FLAG}/production`);
    await page.getByRole("button", { name: "Add rule" }).click();
    const rule = page.locator('fieldset.rule[data-rule="0"]');
    await rule.getByLabel("Attribute").fill("email");
    await rule.getByLabel("Operator").selectOption("matches");
    await rule.getByLabel(/^Values/).fill("(unclosed");
    await page.getByLabel("Comment (goes to the audit log)").fill("staff by email");
    await page.getByRole("button", { name: "Save" }).click();

    const problem = rule.locator('.field-error[data-path="rules[0].conditions[0].values"]');
    await expect
      .poll(() => problem.textContent(), { timeout: 5_000 })
      .toBe("invalid RE2 pattern: error parsing regexp: missing closing ): `(unclosed`");
    expect(await api("GET", `/api/flags/${FLAG}/environments/production`)).toMatchObject({ body: { version: 2, rules: [] } });
    await shoot(page, "flag-rule-error");

    await rule.getByLabel(/^Values/).fill("@acme\\.com$");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("version 3, saved").waitFor();
    const saved = await api("GET", `/api/flags/${FLAG}/environments/production`);
    // A new rule serves the flag's first variation, by its id.
    const first = (await api("GET", `/api/flags/${FLAG}`)).body.variations[0].id;
    expect(saved.body).toMatchObject({
      version: 3,
      rules: [{ conditions: [{ attribute: "email", operator: "matches", values: ["@acme\\.com$"] }], serve: { variation: first } }],
    });
    await shoot(page, "flag-editor");
  });

  it("restores a version", async () => {
    const page = await openPage();
    await signIn(page, `/flags/${FLAG}/production`);
    await page.getByRole("button", { name: "Restore version 2" }).click();
    await page.getByText("version 4, saved").waitFor();
    expect((await api("GET", `/api/flags/${FLAG}/environments/production`)).body).toMatchObject({ version: 4, enabled: true, rules: [] });
    const versions = await api("GET", `/api/flags/${FLAG}/environments/production/versions?limit=1`);
    expect(versions.body.versions[0]).toMatchObject({ version: 4, comment: "Restored version 2 in the console" });
  });

  it("renames a variation and sets metadata, and shows the 409 when a removed variation is still served", async () => {
    const page = await openPage();
    await signIn(page, `/flags/${FLAG}/production`);
    const panel = page.getByRole("form", { name: `Variations of ${FLAG}` });
    const before = (await api("GET", `/api/flags/${FLAG}`)).body.variations;
    await panel.getByLabel("Name of variation 1").fill("enabled");
    await panel.getByLabel("Description of variation 1").fill("the new checkout");
    await panel.getByRole("button", { name: "Add metadata" }).click();
    await panel.getByLabel("Metadata key 1").fill("owner");
    await panel.getByLabel("Metadata value 1").fill("checkout-team");
    await panel.getByRole("button", { name: "Update variations and metadata" }).click();
    await expect
      .poll(async () => (await api("GET", `/api/flags/${FLAG}`)).body, { timeout: 10_000 })
      .toMatchObject({
        variations: [
          { id: before[0].id, name: "enabled", value: true, description: "the new checkout" },
          { id: before[1].id, value: false },
        ],
        metadata: { owner: "checkout-team" },
      });
    // Production still serves the same variation, now under its new name, in the SDK too.
    await eventually(
      async () => sdk!.variationDetail(FLAG, { key: "user-1" }, false).variant,
      (variant) => variant === "enabled",
      5_000,
    );
    expect(sdk!.variationDetail(FLAG, { key: "user-1" }, false)).toMatchObject({ value: true, variant: "enabled" });

    // Every environment's config serves the second variation when off: removing it is refused, and says why.
    await page.reload();
    await panel.getByRole("button", { name: "Remove variation 2" }).click();
    await panel.getByRole("button", { name: "Update variations and metadata" }).click();
    await panel
      .getByRole("alert")
      .getByText(/still serves the variations you removed/)
      .waitFor();
    expect((await api("GET", `/api/flags/${FLAG}`)).body.variations).toHaveLength(2);
  });

  it("shows the last rollback rehearsal of a flag per environment", async () => {
    const page = await openPage();
    await signIn(page, "/flags/maintenance-mode/staging");
    const panel = page.getByRole("region", { name: "Rollback rehearsals" });
    await panel.getByText("Never rehearsed. Run switchyard rehearse --env staging --flag maintenance-mode").waitFor();
    const rehearsal = await api("POST", "/api/rehearsals", { environment: "staging", flag: "maintenance-mode" });
    expect(rehearsal.body).toMatchObject({ status: "passed", flagOff: { connected: 0 } });
    await page.reload();
    const row = panel.locator(`tr[data-rehearsal="${rehearsal.body.id}"]`);
    await row.waitFor();
    expect(await row.locator("td").allInnerTexts()).toEqual([
      "staging",
      expect.stringMatching(/^passed .* · detected in \d+\.\d\d s$/),
      "no SDK connected",
      "no SDK connected",
    ]);
    await shoot(page, "flag-rehearsals");
  });

  it("shows a toggle made in one browser in another within 2 s, without a reload", async () => {
    const [first, second] = [await openPage(), await openPage()];
    await Promise.all([signIn(first), signIn(second)]);
    const mine = first.getByRole("switch", { name: `${FLAG} in staging` });
    const theirs = second.getByRole("switch", { name: `${FLAG} in staging` });
    await expect.poll(() => theirs.getAttribute("aria-checked")).toBe("false");
    // Both pages have polled once at least: the change is news to the second.
    await second.waitForTimeout(1_000);

    const started = Date.now();
    await mine.click();
    try {
      await second.locator(`[role="switch"][aria-label="${FLAG} in staging"][aria-checked="true"]`).waitFor({ timeout: LIVE_MS });
    } catch (error) {
      throw new Error(`the second browser did not show the toggle within ${LIVE_MS} ms: ${String(error)}\n${diagnostics(second)}`);
    }
    expect(Date.now() - started).toBeLessThan(LIVE_MS);
  });

  it("says who changed a flag when a switch meets a newer version, and reloads on request", async () => {
    const bot = await api("POST", "/api/tokens", { name: "release bot", kind: "admin" });
    const page = await openPage();
    // This page stops hearing about changes, as a page whose poll is slow or failing would.
    await page.route(
      (url) => url.pathname === "/api/audit" && url.search === "?limit=1",
      (route) => route.abort(),
    );
    await signIn(page);
    const toggle = page.getByRole("switch", { name: `${FLAG} in development` });
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("false");
    const changed = await fetch(`${server!.url}/api/flags/${FLAG}/environments/development`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${bot.body.token}` },
      body: JSON.stringify({ enabled: true, comment: "bot turned it on" }),
    });
    expect(changed.status).toBe(200);

    await toggle.click();
    const conflict = page.locator(".conflict");
    await expect
      .poll(() => conflict.locator("p").textContent())
      .toMatch(
        new RegExp(
          `^${FLAG} in development was changed by release bot at .+ \\(now version 2\\) after you loaded it\\. Nothing was saved\\.$`,
        ),
      );
    expect((await api("GET", `/api/flags/${FLAG}/environments/development`)).body).toMatchObject({ version: 2, enabled: true });
    await conflict.getByRole("button", { name: "Reload" }).click();
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("true");
    expect(await conflict.count()).toBe(0);
  });

  it("charts a mitigated deploy's check with the flag-off marked", async () => {
    const flag = "checkout-latency";
    await api("POST", "/api/flags", { key: flag, name: "Checkout latency path" });
    await api("PATCH", `/api/flags/${flag}/environments/production`, {
      enabled: true,
      fallthrough: { rollout: { weights: [50_000, 50_000] } },
    });
    const created = await api("POST", "/api/deploys", {
      service: "checkout",
      version: "1.4.2",
      environment: "production",
      flags: [flag],
      guard: { windowSeconds: 24, intervalSeconds: 3, checks: [{ signal: "latency_p99_ms", max: 800, minSamples: 3 }] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id: string = created.body.id;
    // A pipeline pushing p99 latency service-wide and per variation, 5 times a second: variation 0 is slow.
    let n = 0;
    const pusher = setInterval(() => {
      const jitter = ((n++ % 3) - 1) * 40;
      void api("GET", `/api/flags/${flag}/environments/production`).then(({ body }) => {
        const on = body?.enabled === true;
        const cohorts = [
          { variation: 0, value: 1400 + jitter },
          { variation: 1, value: 400 - jitter },
        ].map((s) => ({ signal: "latency_p99_ms", flag, ...s }));
        const samples = [{ signal: "latency_p99_ms", value: on ? 900 + jitter : 400 + jitter }, ...(on ? cohorts : [])];
        return api("POST", `/api/deploys/${id}/signals`, { samples });
      });
    }, 200);
    const decided = await eventually(
      async () => (await api("GET", `/api/deploys/${id}`)).body,
      (d) => d.final === true,
      30_000,
    ).finally(() => clearInterval(pusher));
    expect(decided.status).toBe("mitigated");

    const page = await openPage();
    await signIn(page, "/deploys");
    await page.locator(`tr[data-deploy="${id}"] .badge`, { hasText: "mitigated" }).waitFor();
    await shoot(page, "deploys");
    await page.getByRole("link", { name: "checkout 1.4.2" }).click();
    const chart = page.locator('figure.chart[data-check="latency_p99_ms"]');
    await chart.locator("canvas").waitFor();
    expect(await chart.locator(".flag-off-marker").textContent()).toMatch(new RegExp(`^ ${flag} turned off at `));
    expect(await page.locator(".evidence").textContent()).toMatch(/^mitigated: latency_p99_ms .* explained by checkout-latency/);
    // The chart draws the marker: the page's chart has a series per value and bound, and a legend line per flag-off.
    expect(await chart.locator(".u-legend .u-series").count()).toBe(3);
    const curve = page.locator(`figure[data-acknowledgements="${flag}"]`);
    await curve.locator("canvas").waitFor();
    expect(await curve.locator("figcaption").textContent()).toMatch(new RegExp(`^${flag} off: 1 of 1 connected SDK instances serve it`));
    await shoot(page, "deploy");
  });

  it("archives a flag from the stale report", async () => {
    await api("POST", "/api/flags", { key: "stale-e2e", name: "Left over" });
    const page = await openPage();
    await signIn(page, "/stale");
    await page.getByLabel("Off everywhere for (days)").fill("0");
    const entry = page.locator('li[data-flag="stale-e2e"]');
    await entry.waitFor();
    expect(await entry.locator(".badge").allTextContents()).toContain("DISABLED_EVERYWHERE");
    await shoot(page, "stale");
    await entry.getByRole("button", { name: "Archive stale-e2e" }).click();
    await eventually(
      async () => (await api("GET", "/api/flags/stale-e2e")).body,
      (f) => f.archivedAt !== null,
      5_000,
    );
    await entry.waitFor({ state: "detached" });
  });

  it("edits a segment's keys and creates a token whose secret is shown once", async () => {
    const page = await openPage();
    await signIn(page, "/segments");
    await page.getByRole("button", { name: "Edit segment beta-testers" }).click();
    const editor = page.getByRole("form", { name: "Edit segment beta-testers" });
    const included = editor.getByLabel("Included context keys");
    await included.fill(`${await included.inputValue()}\nuser-99`);
    await editor.getByLabel("Comment (goes to the audit log)").fill("one more tester");
    await editor.getByRole("button", { name: "Save segment" }).click();
    await editor.waitFor({ state: "detached" });
    const segment = await api("GET", "/api/segments/beta-testers");
    expect(segment.body.included).toContain("user-99");
    expect(segment.body.version).toBe(2);
    await shoot(page, "segments");

    await page.getByRole("link", { name: "Tokens" }).click();
    await page.getByLabel("Name", { exact: true }).fill("console-e2e-web");
    await page.getByLabel("Kind").selectOption("client");
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = (await page.locator(".secret-value").textContent()) ?? "";
    expect(secret).toMatch(/^sy_client_/);
    const evaluated = await fetch(`${server!.url}/api/client/evaluate`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}` },
      body: JSON.stringify({ context: { key: "user-1" } }),
    });
    expect(evaluated.status).toBe(200);
    await shoot(page, "tokens");
    await page.getByRole("button", { name: "Done" }).click();
    expect(await page.locator(".secret-value").count()).toBe(0);

    // A relay token for two environments: it lists both, and reads both at the relay endpoints.
    await page.getByLabel("Name", { exact: true }).fill("console-e2e-relay");
    await page.getByLabel("Kind").selectOption("relay");
    await page.getByLabel("Environments").selectOption(["staging", "production"]);
    await page.getByRole("button", { name: "Create token" }).click();
    const relaySecret = (await page.locator(".secret-value").textContent()) ?? "";
    expect(relaySecret).toMatch(/^sy_relay_/);
    await expect
      .poll(() => page.getByRole("row", { name: /console-e2e-relay/ }).textContent())
      .toMatch(/relay.*staging, production|relay.*production, staging/);
    for (const environment of ["staging", "production"]) {
      const read = await fetch(`${server!.url}/api/relay/environments/${environment}/flags`, {
        headers: { authorization: `Bearer ${relaySecret}` },
      });
      expect(read.status).toBe(200);
    }
    await page.getByRole("button", { name: "Done" }).click();
  });
});
