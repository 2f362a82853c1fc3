import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const PNPM = ["-y", "pnpm@10.34.8"];

/** Every package a user installs, by workspace folder. */
export const SHIPPED_PACKAGES = [
  "packages/core",
  "packages/sdk-node",
  "packages/sdk-browser",
  "apps/cli",
  "apps/server",
  "apps/relay",
] as const;

/**
 * The environment of a process outside the workspace: no pnpm or npm settings inherited from the
 * test runner (pnpm exports `npm_config_*`), no tsx loader, no NODE_OPTIONS.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), NODE_OPTIONS: "", ...extra };
}

/** Builds every shipped package and the console the server ships (`pnpm build`, as a release does) and packs each with `pnpm pack`. */
export async function buildAndPack(): Promise<{ packDir: string; tarballs: string[] }> {
  const filters = [...SHIPPED_PACKAGES, "apps/console"].flatMap((dir) => ["--filter", `./${dir}`]);
  await run("npx", [...PNPM, "-r", ...filters, "build"], { cwd: root, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 });
  const packDir = mkdtempSync(join(tmpdir(), "switchyard-packs-"));
  for (const dir of SHIPPED_PACKAGES) {
    await run("npx", [...PNPM, "pack", "--pack-destination", packDir], { cwd: join(root, dir), env: cleanEnv() });
  }
  const tarballs = readdirSync(packDir)
    .filter((name) => name.endsWith(".tgz"))
    .map((name) => join(packDir, name));
  return { packDir, tarballs };
}

/**
 * An application of a user's own, in a temporary folder outside the workspace: `npm install` of
 * the tarballs (and `extra` packages from the registry), nothing else.
 */
export async function installApp(tarballs: string[], extra: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-app-"));
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "switchyard-user-app", version: "0.0.0", private: true }, null, 2)}\n`,
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs, ...extra], {
    cwd: dir,
    env: cleanEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  return dir;
}
