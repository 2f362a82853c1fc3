import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sizeOfModule } from "../packages/sdk-browser/scripts/bundle-size";
import { chromiumMissing, chromiumRequired, launchChromium } from "./support/chromium";
import { eventually } from "./support/eventually";
import { buildAndPack, cleanEnv, installApp } from "./support/packed-app";
import { freePort } from "./support/server-process";

/**
 * The packages as a user meets them: built, packed with `pnpm pack`, and `npm install`ed from the
 * tarballs into an application outside the workspace — no workspace links, no tsx, NODE_OPTIONS
 * empty. Everything below runs the installed artifacts with plain `node`.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_TOKEN = "sy_admin_packaged_e2e_0123456789abcdef";
const FLAG = "packaged-flag";
const ENVIRONMENT = "production";
const budget = JSON.parse(readFileSync(new URL("../packages/sdk-browser/size-budget.json", import.meta.url), "utf8")) as {
  maxGzipBytes: number;
};
const chromiumAbsent = chromiumMissing("the <script>-tag test of the packed browser SDK");

/** A node process of the user's app, its stdout as JSON lines. */
interface AppProcess {
  lines: Array<Record<string, unknown>>;
  output(): string;
  exited: Promise<number | null>;
  child: ChildProcess;
}

describe("the packed packages, installed in an application outside the workspace", () => {
  let app = "";
  let packDir = "";
  let tarballs: string[] = [];
  let server: ChildProcess | undefined;
  let serverOutput = "";
  let url = "";
  let serverToken = "";
  let clientToken = "";
  const started: ChildProcess[] = [];

  async function admin(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function setFlag(enabled: boolean): Promise<void> {
    const res = await admin("PATCH", `/api/flags/${FLAG}/environments/${ENVIRONMENT}`, { enabled, comment: "packaged e2e" });
    expect(res.status, await res.clone().text()).toBe(200);
  }

  async function token(kind: "server" | "client"): Promise<string> {
    const res = await admin("POST", "/api/tokens", { name: `packaged-${kind}`, kind, environment: ENVIRONMENT });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { token: string }).token;
  }

  function startApp(file: string, env: Record<string, string> = {}): AppProcess {
    const child = spawn(process.execPath, [file], { cwd: app, env: cleanEnv({ URL: url, TOKEN: serverToken, ...env }) });
    started.push(child);
    let out = "";
    const lines: Array<Record<string, unknown>> = [];
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const line of parts) if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    child.stderr?.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { lines, output: () => out, exited, child };
  }

  /** An application that prints its flag's value when ready, and exits 0 once a change turns it on. */
  function writeToggleApp(file: string, importLine: string, readyLine: string): void {
    writeFileSync(
      join(app, file),
      [
        importLine,
        "const flags = createClient({ url: process.env.URL, token: process.env.TOKEN, sendMetrics: false });",
        `const value = () => flags.isEnabled(${JSON.stringify(FLAG)}, { key: "user-1" });`,
        "function start() {",
        "  console.log(JSON.stringify({ ready: true, value: value() }));",
        '  flags.on("change", () => {',
        "    console.log(JSON.stringify({ change: true, value: value() }));",
        "    if (value()) flags.close().then(() => process.exit(0));",
        "  });",
        "}",
        readyLine,
      ].join("\n"),
    );
  }

  beforeAll(async () => {
    const packed = await buildAndPack();
    packDir = packed.packDir;
    tarballs = packed.tarballs;
    app = await installApp(packed.tarballs, [
      "@openfeature/server-sdk@^1.23.0",
      "@openfeature/web-sdk@^1.10.0",
      "@openfeature/core@^1.12.0",
      "typescript@5.9.3",
      "@types/node@^20.19.0",
    ]);

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(join(app, "node_modules/.bin/switchyard-server"), [], {
      cwd: app,
      env: cleanEnv({ PORT: String(port), SWITCHYARD_DATA_DIR: join(app, "data"), SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: "info" }),
    });
    started.push(server);
    server.stdout?.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
    server.stderr?.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
    const health = () =>
      fetch(`${url}/healthz`).then(
        (res) => res.status,
        () => 0,
      );
    // A first start on the embedded database runs initdb inside PGlite: slow on a busy machine.
    await eventually(health, (status) => status === 200, 180_000).catch((error: Error) => {
      throw new Error(`the installed server did not answer /healthz (exit code ${server?.exitCode}): ${error.message}\n${serverOutput}`);
    });

    const created = await admin("POST", "/api/flags", { key: FLAG, name: "Packaged e2e", kind: "release" });
    expect(created.status, await created.clone().text()).toBe(201);
    serverToken = await token("server");
    clientToken = await token("client");
  }, 600_000);

  afterAll(async () => {
    for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
    if (app) rmSync(app, { recursive: true, force: true });
    if (packDir) rmSync(packDir, { recursive: true, force: true });
  });

  it("packs every package so that publint and arethetypeswrong find no problem", async () => {
    expect(tarballs.map((file) => file.replace(/^.*\//, "")).sort()).toEqual([
      "switchyard-cli-0.1.0.tgz",
      "switchyard-core-0.1.0.tgz",
      "switchyard-relay-0.1.0.tgz",
      "switchyard-sdk-browser-0.1.0.tgz",
      "switchyard-sdk-node-0.1.0.tgz",
      "switchyard-server-0.1.0.tgz",
    ]);
    const bin = (name: string) => join(root, "node_modules/.bin", name);
    for (const tarball of tarballs) {
      await run(bin("publint"), ["run", "--strict", tarball], { env: cleanEnv() }).catch((error: { stdout?: string }) => {
        throw new Error(`publint found problems in ${tarball}:\n${error.stdout}`);
      });
      // The browser SDK, the server and the relay are ESM only by design: a CommonJS caller imports them dynamically.
      const profile = /sdk-browser|server|relay/.test(tarball) ? ["--profile", "esm-only"] : [];
      await run(bin("attw"), [tarball, ...profile, "--format", "ascii"], { env: cleanEnv() }).catch((error: { stdout?: string }) => {
        throw new Error(`arethetypeswrong found problems in ${tarball}:\n${error.stdout}`);
      });
    }
  });

  it("runs the server from the installed switchyard-server bin on the embedded database, without tsx", async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(existsSync(join(app, "node_modules/tsx")), "tsx must not be installed with the packages").toBe(false);
    const installed = JSON.parse(readFileSync(join(app, "node_modules/@switchyard/server/package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(installed.bin).toEqual({ "switchyard-server": "./dist/main.js" });
    expect(JSON.stringify(installed)).not.toContain("workspace:");
    expect(existsSync(join(app, "node_modules/@switchyard/server/migrations/meta/_journal.json"))).toBe(true);
    // The console ships inside the server package and is served on the same port.
    const consolePage = await fetch(`${url}/`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain("<title>Switchyard</title>");
  });

  it.each([
    ["ESM (import)", "esm-app.mjs", 'import { createClient } from "@switchyard/sdk-node";', "await flags.ready();\nstart();"],
    [
      "CommonJS (require)",
      "cjs-app.cjs",
      'const { createClient } = require("@switchyard/sdk-node");',
      "flags.ready().then(start, (error) => { console.error(error); process.exit(1); });",
    ],
  ])("an application using %s becomes ready, serves the flag and sees a toggle", async (_kind, file, importLine, readyLine) => {
    await setFlag(false);
    writeToggleApp(file, importLine, readyLine);
    const proc = startApp(file);
    const isReady = (lines: AppProcess["lines"]) => lines.some((line) => line.ready === true);
    await eventually(async () => proc.lines, isReady, 20_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${proc.output()}`);
    });
    expect(proc.lines).toEqual([{ ready: true, value: false }]);
    await setFlag(true);
    expect(await proc.exited, proc.output()).toBe(0);
    expect(proc.lines.at(-1)).toEqual({ change: true, value: true });
  });

  it("type-checks real types under node16 and bundler resolution, and a wrong use fails", async () => {
    const use = [
      'import { createClient } from "@switchyard/sdk-node";',
      'import { SwitchyardProvider } from "@switchyard/sdk-node/openfeature";',
      'import { createClient as createBrowserClient } from "@switchyard/sdk-browser";',
      'import { SwitchyardWebProvider } from "@switchyard/sdk-browser/openfeature";',
      'const flags = createClient({ url: "http://127.0.0.1:4242", token: "t" });',
      'export const on: boolean = flags.isEnabled("new-checkout", { key: "user-1", plan: "pro" });',
      'export const detail: string = flags.variationDetail("plan-limit", { key: "user-1" }, 10).reason;',
      'const browser = createBrowserClient({ url: "http://127.0.0.1:4242", token: "t", context: { key: "user-1" } });',
      'export const shown: boolean = browser.isEnabled("new-checkout");',
      'export const providers = [new SwitchyardProvider({ url: "http://127.0.0.1:4242", token: "t" }), SwitchyardWebProvider];',
    ].join("\n");
    const commonJsUse = [
      'import { createClient } from "@switchyard/sdk-node";',
      'import { SwitchyardProvider } from "@switchyard/sdk-node/openfeature";',
      'const flags = createClient({ url: "http://127.0.0.1:4242", token: "t" });',
      'export const on: boolean = flags.isEnabled("new-checkout", { key: "user-1" });',
      "export const provider = new SwitchyardProvider(flags);",
    ].join("\n");
    writeFileSync(join(app, "use.mts"), use);
    writeFileSync(join(app, "use.cts"), commonJsUse);
    writeFileSync(join(app, "use-bundler.ts"), use);
    writeFileSync(
      join(app, "wrong.mts"),
      'import { createClient } from "@switchyard/sdk-node";\nconst flags = createClient({ url: "u", token: "t" });\nexport const n: number = flags.isEnabled("f", { key: "k" });\n',
    );
    const options = (module: string, resolution: string, files: string[]) =>
      JSON.stringify({
        compilerOptions: {
          module,
          moduleResolution: resolution,
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          types: ["node"],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files,
      });
    writeFileSync(join(app, "tsconfig.node16.json"), options("node16", "node16", ["use.mts", "use.cts"]));
    writeFileSync(join(app, "tsconfig.bundler.json"), options("esnext", "bundler", ["use-bundler.ts"]));
    writeFileSync(join(app, "tsconfig.wrong.json"), options("node16", "node16", ["wrong.mts"]));
    const tsc = (project: string) =>
      run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "-p", project], { cwd: app, env: cleanEnv() });

    const outcome = (project: string) =>
      tsc(project).then(
        () => "ok",
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
    const [node16, bundler, wrong] = await Promise.all(
      ["tsconfig.node16.json", "tsconfig.bundler.json", "tsconfig.wrong.json"].map(outcome),
    );
    expect(node16).toBe("ok");
    expect(bundler).toBe("ok");
    expect(wrong).toContain("error TS2322: Type 'boolean' is not assignable to type 'number'.");
  }, 240_000);

  it("runs switchyard-relay from its installed bin, without tsx, and an installed SDK pointed at it sees a toggle", async () => {
    const installed = JSON.parse(readFileSync(join(app, "node_modules/@switchyard/relay/package.json"), "utf8")) as Record<string, unknown>;
    expect(installed.bin).toEqual({ "switchyard-relay": "./dist/main.js" });
    // The server modules a relay shares are bundled in; none may bring the server's database drivers along.
    const dist = join(app, "node_modules/@switchyard/relay/dist");
    const packageOf = (specifier: string) =>
      specifier
        .replace(/^node:/, "")
        .split("/")
        .slice(0, specifier.startsWith("@") ? 2 : 1)
        .join("/");
    const imported = new Set(
      readdirSync(dist)
        .filter((file) => file.endsWith(".js"))
        .flatMap((file) =>
          [...readFileSync(join(dist, file), "utf8").matchAll(/^(?:import|export)\b[^;"]*?\bfrom\s*"([^".][^"]*)"/gm)].map((m) =>
            packageOf(m[1]!),
          ),
        ),
    );
    expect(imported.size).toBeGreaterThan(3);
    const allowed = new Set([...Object.keys(installed.dependencies as Record<string, string>), ...builtinModules]);
    expect([...imported].filter((name) => !allowed.has(name))).toEqual([]);
    const created = await admin("POST", "/api/tokens", { name: "packaged-relay", kind: "relay", environments: [ENVIRONMENT] });
    expect(created.status, await created.clone().text()).toBe(201);
    const relayPort = await freePort();
    const relayUrl = `http://127.0.0.1:${relayPort}`;
    const relay = spawn(join(app, "node_modules/.bin/switchyard-relay"), [], {
      cwd: app,
      env: cleanEnv({
        SWITCHYARD_URL: url,
        SWITCHYARD_RELAY_TOKEN: ((await created.json()) as { token: string }).token,
        SWITCHYARD_RELAY_BACKUP: join(app, "relay-backup.json"),
        PORT: String(relayPort),
      }),
    });
    started.push(relay);
    let relayOutput = "";
    relay.stdout?.on("data", (chunk: Buffer) => (relayOutput += chunk.toString()));
    relay.stderr?.on("data", (chunk: Buffer) => (relayOutput += chunk.toString()));
    const readiness = () =>
      fetch(`${relayUrl}/readyz`).then(
        async (res) => ((await res.json()) as { status: string }).status,
        () => "down",
      );
    await eventually(readiness, (status) => status === "current", 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${relayOutput}`);
    });
    // The relay learns the SDK's token from the server's list within a poll.
    await eventually(
      () => fetch(`${relayUrl}/api/sdk/flags`, { headers: { authorization: `Bearer ${serverToken}` } }).then((res) => res.status),
      (status) => status === 200,
    );
    await setFlag(false);
    writeToggleApp("relay-app.mjs", 'import { createClient } from "@switchyard/sdk-node";', "await flags.ready();\nstart();");
    const proc = startApp("relay-app.mjs", { URL: relayUrl });
    await eventually(
      async () => proc.lines,
      (lines) => lines.some((line) => line.ready === true),
      20_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${proc.output()}`);
    });
    expect(proc.lines).toEqual([{ ready: true, value: false }]);
    await setFlag(true);
    expect(await proc.exited, proc.output()).toBe(0);
    expect(proc.lines.at(-1)).toEqual({ change: true, value: true });
  });

  it("bundles the installed browser ESM entry within the committed size budget", async () => {
    const size = await sizeOfModule('export * from "@switchyard/sdk-browser";', [], app);
    expect(size.gzipBytes).toBeGreaterThan(1_000);
    expect(size.gzipBytes).toBeLessThanOrEqual(budget.maxGzipBytes);
  });

  it("runs `switchyard --help` and `switchyard-server --help` from the installed packages", async () => {
    const { stdout } = await run(join(app, "node_modules/.bin/switchyard"), ["--help"], { cwd: app, env: cleanEnv() });
    expect(stdout).toContain("Usage: switchyard <command> [options]");
    const server = await run(join(app, "node_modules/.bin/switchyard-server"), ["--help"], { cwd: app, env: cleanEnv() });
    expect(server.stdout).toContain("switchyard-server recover-admin [--name NAME]");
  });

  it("resolves the OpenFeature subpaths with the OpenFeature SDKs installed, and the Node provider evaluates", async () => {
    await setFlag(true);
    writeFileSync(
      join(app, "openfeature.mjs"),
      [
        'import { OpenFeature } from "@openfeature/server-sdk";',
        'import { SwitchyardProvider } from "@switchyard/sdk-node/openfeature";',
        'const web = await import("@switchyard/sdk-browser/openfeature");',
        "await OpenFeature.setProviderAndWait(new SwitchyardProvider({ url: process.env.URL, token: process.env.TOKEN, sendMetrics: false }));",
        `const details = await OpenFeature.getClient().getBooleanDetails(${JSON.stringify(FLAG)}, false, { targetingKey: "user-1" });`,
        "console.log(JSON.stringify({ value: details.value, reason: details.reason, web: typeof web.SwitchyardWebProvider }));",
        "await OpenFeature.close();",
      ].join("\n"),
    );
    writeFileSync(
      join(app, "openfeature.cjs"),
      'const { SwitchyardProvider } = require("@switchyard/sdk-node/openfeature");\nconsole.log(JSON.stringify({ provider: typeof SwitchyardProvider }));\n',
    );
    const esm = startApp("openfeature.mjs");
    expect(await esm.exited, esm.output()).toBe(0);
    expect(esm.lines).toEqual([{ value: true, reason: "STATIC", web: "function" }]);
    const cjs = startApp("openfeature.cjs");
    expect(await cjs.exited, cjs.output()).toBe(0);
    expect(cjs.lines).toEqual([{ provider: "function" }]);
  });

  describe.skipIf(chromiumAbsent !== undefined && !chromiumRequired)("a plain HTML page with only the <script> tag", () => {
    let browser: Browser | undefined;
    let pages: Server | undefined;

    afterAll(async () => {
      await browser?.close();
      pages?.closeAllConnections();
      pages?.close();
    });

    it("shows a flag's value in headless Chromium and updates when the flag is toggled", async () => {
      await setFlag(false);
      const script = readFileSync(join(app, "node_modules/@switchyard/sdk-browser/dist/switchyard.global.js"), "utf8");
      const html = `<!doctype html><meta charset="utf-8"><output id="value">loading</output>
<script src="/switchyard.global.js"></script>
<script>
  const flags = window.Switchyard.createClient({ url: ${JSON.stringify(url)}, token: ${JSON.stringify(clientToken)}, context: { key: "user-1" } });
  const render = () => { document.getElementById("value").textContent = String(flags.isEnabled(${JSON.stringify(FLAG)})); };
  flags.on("change", render);
  flags.on("ready", render);
</script>`;
      pages = createServer((req, res) => {
        if (req.url === "/switchyard.global.js") res.writeHead(200, { "content-type": "text/javascript" }).end(script);
        else if (req.url === "/") res.writeHead(200, { "content-type": "text/html" }).end(html);
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => pages!.listen(0, "127.0.0.1", resolve));
      const address = pages.address();
      const pageUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;

      browser = await launchChromium(chromiumAbsent);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(pageUrl);
      await page.locator("output#value", { hasText: /^false$/ }).waitFor({ timeout: 15_000 });
      await setFlag(true);
      await page.locator("output#value", { hasText: /^true$/ }).waitFor({ timeout: 10_000 });
      expect(errors).toEqual([]);
    });
  });
});
