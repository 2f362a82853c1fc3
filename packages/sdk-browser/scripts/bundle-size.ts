import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export interface BundleSize {
  gzipBytes: number;
  minBytes: number;
}

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/**
 * Bundles `source` (module text resolved from this package) the way an application's bundler
 * would ship it to a browser — minified, ESM, browser conditions, tree-shaken, production
 * `NODE_ENV` — and measures it minified and gzipped at level 9. `external` packages are left out
 * (imports the application already pays for). Imports resolve from `resolveDir`: this package's
 * source by default, or an application's folder to measure the installed package.
 */
export async function sizeOfModule(source: string, external: string[] = [], resolveDir = packageDir): Promise<BundleSize> {
  const result = await build({
    external,
    stdin: { contents: source, resolveDir, loader: "ts" },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: { "process.env.NODE_ENV": '"production"' },
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { minBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

/** The main entry, `@switchyard/sdk-browser`, everything it exports. */
export function sizeOfBrowserBundle(): Promise<BundleSize> {
  return sizeOfModule('export * from "./src/index.ts";');
}
