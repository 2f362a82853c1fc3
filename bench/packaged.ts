import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildAndPack, cleanEnv, installApp } from "../test/support/packed-app";
import { createDatabaseOn } from "../test/support/postgres-scratch";
import { freePort } from "../test/support/server-process";
import type { BenchSuite } from "./bench-suite";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const benchPackage = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8")) as {
  devDependencies: Record<string, string>;
};
const IMPORT_RUNS = 15;
const START_RUNS = 3;
const IDLE_SETTLE_MS = 5_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Milliseconds one fresh `node` process spends loading `specifier` (import or require), median of IMPORT_RUNS. */
async function importTime(cwd: string, specifier: string, how: "import" | "require", nodeArgs: string[] = []): Promise<number> {
  const timed =
    how === "import"
      ? `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`
      : `const t = performance.now(); require(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  const args = [...nodeArgs, ...(how === "import" ? ["--input-type=module"] : []), "-e", timed];
  const times: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const { stdout } = await run(process.execPath, args, { cwd, env: cleanEnv() });
    times.push(Number(stdout.trim()));
  }
  return median(times);
}

interface Started {
  child: ChildProcess;
  readyMs: number;
}

/** Spawns a server and times spawn → `/readyz` 200. */
async function startTimed(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(command, args, { cwd, env: cleanEnv({ ...env, PORT: String(port), LOG_LEVEL: "error" }), stdio: "ignore" });
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return { child, readyMs: performance.now() - began };
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(" ")} exited with ${child.exitCode}`);
    if (performance.now() - began > 120_000) throw new Error("server did not become ready in 120 s");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function residentMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

/** Warm starts (the database already migrated by a first start): median ready time, and RSS when idle after the last. */
async function warmStarts(command: string, args: string[], cwd: string, env: Record<string, string>) {
  await stop((await startTimed(command, args, cwd, env)).child);
  const times: number[] = [];
  let idleRss = Number.NaN;
  for (let i = 0; i < START_RUNS; i++) {
    const started = await startTimed(command, args, cwd, env);
    times.push(started.readyMs);
    if (i === START_RUNS - 1) {
      await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
      idleRss = residentMb(started.child.pid);
    }
    await stop(started.child);
  }
  return { readyMs: median(times), idleRss };
}

/**
 * The packages as users install them: built, packed and installed outside the workspace. Import
 * time of the built Node SDK next to GrowthBook's and Unleash's SDKs installed beside it, and the
 * server's start to /readyz from the installed bin next to the same server run through tsx.
 */
export const packagedBench: BenchSuite = {
  name: "packaged",
  description: "installed packages: Node SDK import time vs peers (target ≤ 30 ms); server start to /readyz and idle RSS, bin vs tsx",
  async run() {
    const packed = await buildAndPack();
    const peers = ["@growthbook/growthbook", "unleash-client"].map((name) => `${name}@${benchPackage.devDependencies[name]}`);
    const app = await installApp(packed.tarballs, peers);
    try {
      console.log(`Import time, fresh node process, median of ${IMPORT_RUNS} (packages installed from tarballs/npm in ${app}):`);
      const rows: Array<[string, string, "import" | "require", string[]]> = [
        ["@switchyard/sdk-node (built)", "@switchyard/sdk-node", "import", []],
        ["@switchyard/sdk-node (built)", "@switchyard/sdk-node", "require", []],
        ["@growthbook/growthbook", "@growthbook/growthbook", "import", []],
        ["@growthbook/growthbook", "@growthbook/growthbook", "require", []],
        ["unleash-client", "unleash-client", "import", []],
        ["unleash-client", "unleash-client", "require", []],
      ];
      for (const [label, specifier, how, args] of rows) {
        console.log(`  ${`${label} ${how}`.padEnd(44)} ${ms(await importTime(app, specifier, how, args))}`);
      }
      const fromSource = await importTime(root, join(root, "packages/sdk-node/src/index.ts"), "import", ["--import", "tsx"]);
      console.log(`  ${"@switchyard/sdk-node source through tsx import".padEnd(44)} ${ms(fromSource)}  (before this package was built)`);

      console.log(
        `\nServer start → /readyz 200, warm (database already migrated), median of ${START_RUNS}; RSS ${IDLE_SETTLE_MS / 1000} s after ready:`,
      );
      const bin = join(app, "node_modules/.bin/switchyard-server");
      const tsx: [string, string[], string] = [process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], root];
      const backends: Array<{ name: string; env: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> }> = [
        {
          name: "embedded (PGlite)",
          env: async () => {
            const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-start-"));
            return { env: { SWITCHYARD_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
          },
        },
      ];
      const base = process.env.DATABASE_URL;
      if (base) {
        backends.push({
          name: "PostgreSQL",
          env: async () => {
            const scratch = await createDatabaseOn(base, "switchyard_bench_start");
            return { env: { DATABASE_URL: scratch.url }, cleanup: () => scratch.drop() };
          },
        });
      } else console.log("  (PostgreSQL skipped: DATABASE_URL not set)");
      for (const backend of backends) {
        for (const [label, command, args, cwd] of [
          ["installed bin (node dist/main.js)", bin, [], app],
          ["workspace source through tsx", ...tsx],
        ] as const) {
          const { env, cleanup } = await backend.env();
          try {
            const result = await warmStarts(command, [...args], cwd, env);
            console.log(
              `  ${backend.name.padEnd(18)} ${label.padEnd(36)} ready ${ms(result.readyMs).padStart(10)}   idle RSS ${result.idleRss.toFixed(0)} MB`,
            );
          } finally {
            await cleanup();
          }
        }
      }
      console.log("  targets: warm embedded ≤ 1,500 ms; PostgreSQL ≤ 800 ms, idle RSS ≤ 100 MB");
    } finally {
      rmSync(app, { recursive: true, force: true });
      rmSync(packed.packDir, { recursive: true, force: true });
    }
  },
};
