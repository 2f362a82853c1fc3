import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { chromiumMissing, chromiumRequired, launchChromium } from "../support/chromium";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually";
import { freePort, startRelayProcess, startServerProcess, type ServerProcess } from "../support/server-process";

/**
 * The browser SDK in a real headless Chromium against the real server process: a page on another
 * origin renders a flag's value, and the value follows toggles made through the admin API.
 *
 * Chromium is Debian's `chromium` package (not a Playwright download), driven by playwright-core.
 * CI sets SWITCHYARD_REQUIRE_SERVICES=1: then a missing Chromium fails the run; elsewhere this
 * suite is skipped and says what to install.
 */

const root = fileURLToPath(new URL("../..", import.meta.url));
const missing = chromiumMissing("the browser end-to-end test");

const ADMIN_TOKEN = "sy_admin_e2e_browser_token_00001";
const FLAG = "browser-e2e";
const ENVIRONMENT = "production";
/** How long a toggle may take to reach the page. */
const PROPAGATION_MS = 5_000;
/** How long a page may take to load, get its first values and open its stream (generous: CI machines are busy). */
const CONNECT_MS = 15_000;

interface StreamEvent {
  name: string;
  data: string;
}

/** One page and what it saw: console lines, page errors, SSE events (via CDP) and API response headers. */
interface Watched {
  page: Page;
  log: string[];
  events: StreamEvent[];
}

function pageHtml(apiUrl: string, token: string): string {
  const settings = JSON.stringify({ url: apiUrl, token, flag: FLAG });
  return `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Switchyard browser e2e</title></head>
<body>
<output id="value">loading</output>
<script type="module">
import { createClient } from "/sdk.js";
const settings = ${settings};
const output = document.getElementById("value");
const client = createClient({ url: settings.url, token: settings.token, context: { key: "user-1" } });
const render = () => { output.textContent = String(client.isEnabled(settings.flag)); };
// The first render is synchronous, in the same task as createClient: no network answer can be in yet.
render();
window.firstRender = output.textContent;
client.on("change", render);
client.on("error", (error) => console.warn("switchyard error:", error.message, error.status, error.fatal));
// The "ready" event (unlike ready()) also fires when values arrive after readyTimeoutMs: a slow machine is no failure.
client.on("ready", () => { output.dataset.ready = "true"; render(); });
client.ready().catch((error) => console.warn("switchyard not ready:", error.message));
</script>
</body>
</html>`;
}

async function bundleSdk(): Promise<string> {
  const result = await build({
    entryPoints: [join(root, "packages/sdk-browser/src/index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error("esbuild produced no output");
  return file.text;
}

async function servePage(html: string, sdk: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
    else if (path === "/sdk.js")
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(sdk);
    else if (path === "/favicon.ico") res.writeHead(204).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("page server has no address");
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

describe.skipIf(missing !== undefined && !chromiumRequired)("the browser SDK in headless Chromium", () => {
  let dataDir: string | undefined;
  let api: ServerProcess | undefined;
  let pageServer: Server | undefined;
  let pageUrl = "";
  let relay: ServerProcess | undefined;
  let relayPageServer: Server | undefined;
  let relayPageUrl = "";
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const watched: Watched[] = [];

  async function admin(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${api!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function setFlag(enabled: boolean): Promise<void> {
    const res = await admin("PATCH", `/api/flags/${FLAG}/environments/${ENVIRONMENT}`, { enabled, comment: "browser e2e" });
    expect(res.status, await res.clone().text()).toBe(200);
  }

  async function openPage(): Promise<Watched> {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const log: string[] = [];
    const events: StreamEvent[] = [];
    page.on("console", (message) => log.push(`console.${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => log.push(`pageerror: ${error.message}`));
    page.on("requestfailed", (request) =>
      log.push(`requestfailed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ""}`),
    );
    page.on("response", (response) => {
      if (!response.url().startsWith(api!.url)) return;
      const headers = Object.entries(response.headers())
        .map(([name, value]) => `${name}: ${value}`)
        .join("; ");
      log.push(
        `response: ${response.request().method()} ${response.url().replace(/token=[^&]+/, "token=…")} ${response.status()} [${headers}]`,
      );
    });
    // SSE messages as Chromium received them: shows which event (put/patch) carried a change.
    const cdp = await context.newCDPSession(page);
    cdp.on("Network.eventSourceMessageReceived", (event) => events.push({ name: event.eventName, data: event.data }));
    await cdp.send("Network.enable");
    const entry = { page, log, events };
    watched.push(entry);
    return entry;
  }

  function diagnostics(w: Watched): string {
    return [
      "--- page log ---",
      ...w.log,
      "--- SSE events ---",
      ...w.events.map((e) => `${e.name}: ${e.data}`),
      "--- server output ---",
      api?.output() ?? "",
    ].join("\n");
  }

  async function expectShown(w: Watched, value: "true" | "false", what: string): Promise<void> {
    try {
      await w.page.locator("output#value", { hasText: new RegExp(`^${value}$`) }).waitFor({ timeout: PROPAGATION_MS });
    } catch {
      const shown = await w.page
        .locator("output#value")
        .textContent()
        .catch(() => "?");
      throw new Error(`${what}: the page shows ${JSON.stringify(shown)}, not ${value}, after ${PROPAGATION_MS} ms\n${diagnostics(w)}`);
    }
  }

  /** Waits until the page's client is ready and its stream's first `put` has arrived. */
  async function waitLive(w: Watched, after = 0): Promise<void> {
    try {
      await w.page.locator("output#value[data-ready]").waitFor({ timeout: CONNECT_MS });
      await expect.poll(() => w.events.slice(after).some((e) => e.name === "put"), { timeout: CONNECT_MS }).toBe(true);
    } catch (error) {
      throw new Error(`the page did not connect: ${String(error)}\n${diagnostics(w)}`);
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-e2e-browser-"));
    const [server, sdk] = await Promise.all([
      startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN }),
      bundleSdk(),
    ]);
    api = server;

    const created = await admin("POST", "/api/flags", { key: FLAG, name: "Browser e2e", kind: "release" });
    expect(created.status, await created.clone().text()).toBe(201);
    const tokenRes = await admin("POST", "/api/tokens", { name: "browser-e2e", kind: "client", environment: ENVIRONMENT });
    expect(tokenRes.status, await tokenRes.clone().text()).toBe(201);
    const { token } = (await tokenRes.json()) as { token: string };

    // A different port is a different origin: the page's requests to the API are cross-origin (CORS).
    const served = await servePage(pageHtml(api.url, token), sdk);
    pageServer = served.server;
    pageUrl = served.url;

    // The same page with its url pointed at a relay in front of the server.
    const relayRes = await admin("POST", "/api/tokens", { name: "browser-e2e-relay", kind: "relay", environments: [ENVIRONMENT] });
    expect(relayRes.status, await relayRes.clone().text()).toBe(201);
    relay = await startRelayProcess({
      SWITCHYARD_URL: api.url,
      SWITCHYARD_RELAY_TOKEN: ((await relayRes.json()) as { token: string }).token,
      SWITCHYARD_RELAY_BACKUP: "off",
      PORT: String(await freePort()),
    });
    const relayUrl = relay.url;
    await eventually(
      () =>
        fetch(`${relayUrl}/api/client/evaluate`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: '{"context":{}}' }),
      (res) => res.status === 200,
    );
    const relayServed = await servePage(pageHtml(relayUrl, token), sdk);
    relayPageServer = relayServed.server;
    relayPageUrl = relayServed.url;

    browser = await launchChromium(missing);
  });

  afterAll(async () => {
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown> | undefined) => {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    };
    for (const context of contexts) await attempt(() => context.close());
    await attempt(() => browser?.close());
    await attempt(
      () =>
        pageServer &&
        new Promise<void>((resolve) => {
          pageServer!.closeAllConnections();
          pageServer!.close(() => resolve());
        }),
    );
    await attempt(
      () =>
        relayPageServer &&
        new Promise<void>((resolve) => {
          relayPageServer!.closeAllConnections();
          relayPageServer!.close(() => resolve());
        }),
    );
    await attempt(() => relay?.stop());
    await attempt(() => api?.stop());
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (errors.length > 0) throw new AggregateError(errors, "cleanup failed");
  });

  it("shows a flag's value and follows toggles made through the admin API", async () => {
    const w = await openPage();
    await w.page.goto(pageUrl);
    await waitLive(w);
    await expectShown(w, "false", "initially (flag off)");

    const before = w.events.length;
    await setFlag(true);
    await expectShown(w, "true", "after turning the flag on");
    // The stream carried the change (a patch), not a reconnect's fresh evaluation.
    expect(
      w.events.slice(before).map((e) => e.name),
      diagnostics(w),
    ).toContain("patch");

    await setFlag(false);
    await expectShown(w, "false", "after turning the flag off again");

    // Each change reached the page over the one stream it opened.
    expect(
      w.events.filter((e) => e.name === "put"),
      diagnostics(w),
    ).toHaveLength(1);
    expect(
      w.log.filter((line) => line.startsWith("pageerror") || line.includes("switchyard error")),
      diagnostics(w),
    ).toEqual([]);
  });

  it("renders the last value from localStorage on reload, before the network answers", async () => {
    await setFlag(false);
    const w = await openPage();
    await w.page.goto(pageUrl);
    await waitLive(w);
    await expectShown(w, "false", "before turning the flag on");
    await setFlag(true);
    await expectShown(w, "true", "after turning the flag on");

    const stored = JSON.parse(String(await w.page.evaluate("JSON.stringify(Object.entries(localStorage))"))) as Array<[string, string]>;
    const entries = stored.filter(([key]) => key.startsWith("switchyard:"));
    expect(entries, JSON.stringify(stored)).toHaveLength(1);
    expect(JSON.parse(entries[0]![1])).toMatchObject({ flags: { [FLAG]: { value: true } } });

    // Hold the reloaded page's evaluate request until the cached value has been checked; the
    // stream opens only after evaluate answers, so nothing from the server can arrive meanwhile.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let evaluateSeen!: () => void;
    const evaluateRequested = new Promise<void>((resolve) => (evaluateSeen = resolve));
    await w.page.route(`${api!.url}/api/client/evaluate`, async (route) => {
      if (route.request().method() === "POST") {
        evaluateSeen();
        await held;
      }
      await route.continue();
    });
    const eventsBefore = w.events.length;
    try {
      await w.page.reload({ waitUntil: "domcontentloaded" });
      await evaluateRequested;
      expect(await w.page.evaluate("window.firstRender"), diagnostics(w)).toBe("true");
      expect(await w.page.locator("output#value").textContent()).toBe("true");
      expect(await w.page.locator("output#value").getAttribute("data-ready")).toBeNull();
    } finally {
      release();
    }
    // Waits for the held handler to finish before removing it.
    await w.page.unrouteAll({ behavior: "wait" });

    // The reloaded page goes live again and still follows toggles.
    await waitLive(w, eventsBefore);
    await setFlag(false);
    await expectShown(w, "false", "after reload, turning the flag off");
  });

  it("behind a relay: the same page, its url pointed at the relay, shows the value and follows toggles", async () => {
    await setFlag(false);
    const w = await openPage();
    await w.page.goto(relayPageUrl);
    await waitLive(w);
    await expectShown(w, "false", "through the relay, initially");
    const before = w.events.length;
    await setFlag(true);
    await expectShown(w, "true", "through the relay, after turning the flag on");
    expect(
      w.events.slice(before).map((e) => e.name),
      diagnostics(w),
    ).toContain("patch");
    await setFlag(false);
    await expectShown(w, "false", "through the relay, after turning the flag off again");
  });
});
