import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";

/*
 * `pnpm --filter @switchyard/console size`: builds the console as `pnpm build` does (into a
 * scratch directory) and measures, gzip level 9, the JavaScript a first visit downloads — the
 * entry script and the chunks index.html preloads — against the 150 KB budget (exit 1
 * when over). Chunks loaded later (the chart library, on a deploy's page) are listed apart.
 */

export const MAX_INITIAL_GZIP_BYTES = 150_000;

const consoleDir = fileURLToPath(new URL("..", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "switchyard-console-size-"));
try {
  await build({ root: consoleDir, logLevel: "silent", build: { outDir, emptyOutDir: true } });
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  const initial = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].flatMap((m) => (m[1] === undefined ? [] : [m[1]])));
  const gzip = (file: string) => gzipSync(readFileSync(join(outDir, file)), { level: 9 }).byteLength;
  const scripts = readdirSync(join(outDir, "assets"))
    .filter((name) => name.endsWith(".js"))
    .map((name) => `assets/${name}`);
  const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  let total = 0;
  console.log("console JavaScript, gzip level 9 (vite build, as served at /)\n");
  for (const file of scripts.sort((a, b) => Number(initial.has(b)) - Number(initial.has(a)))) {
    const size = gzip(file);
    if (initial.has(file)) total += size;
    console.log(
      `  ${(initial.has(file) ? "initial " : "on demand").padEnd(10)} ${file.padEnd(40)} ${String(size).padStart(7)} B ${kB(size).padStart(9)}`,
    );
  }
  const over = total > MAX_INITIAL_GZIP_BYTES;
  console.log(`\nInitial load: ${total} of ${MAX_INITIAL_GZIP_BYTES} gzip bytes of JavaScript: ${over ? "OVER BUDGET" : "ok"}`);
  process.exitCode = over ? 1 : 0;
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
