import { readFileSync } from "node:fs";
import { type BundleSize, sizeOfBrowserBundle, sizeOfModule } from "./bundle-size";

/*
 * `pnpm --filter @switchyard/sdk-browser size`: the gzip size of the main entry against the
 * committed budget (exit 1 when over), then, measured the same way, the OpenFeature entry and the
 * browser SDKs users compare us with — each bundled through the one import an application starts
 * from, so the comparison is like for like. Peers are devDependencies of this package.
 */

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8"));
}

function numberField(value: unknown, field: string): number | undefined {
  if (typeof value !== "object" || value === null || !(field in value)) return undefined;
  const found: unknown = Reflect.get(value, field);
  return typeof found === "number" ? found : undefined;
}

function versionOf(name: string): string {
  try {
    const manifest = readJson(`../node_modules/${name}/package.json`);
    const version: unknown = typeof manifest === "object" && manifest !== null ? Reflect.get(manifest, "version") : "";
    return typeof version === "string" ? version : "";
  } catch {
    return "?";
  }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
function row(name: string, size: BundleSize | string): string {
  if (typeof size === "string") return `  ${name.padEnd(58)} ${size}`;
  return `  ${name.padEnd(58)} ${String(size.gzipBytes).padStart(6)} B ${kB(size.gzipBytes).padStart(9)} gzip  ${kB(size.minBytes).padStart(8)} min`;
}

async function measured(source: string, external: string[] = []): Promise<BundleSize | string> {
  try {
    return await sizeOfModule(source, external);
  } catch (error) {
    return `not measured: ${error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error)}`;
  }
}

const maxGzipBytes = numberField(readJson("../size-budget.json"), "maxGzipBytes");
if (maxGzipBytes === undefined) throw new Error('size-budget.json must be { "maxGzipBytes": <number> }');

const own = await sizeOfBrowserBundle();
console.log("min+gzip: esbuild (bundle, minify, ESM, platform browser, tree-shaken, es2022), gzip level 9\n");
console.log(row("@switchyard/sdk-browser", own));
console.log(
  row(
    "@switchyard/sdk-browser/openfeature (provider only)",
    await measured('export * from "./src/openfeature/index.ts";', ["@openfeature/web-sdk"]),
  ),
);
console.log(
  row("  … with @openfeature/web-sdk " + versionOf("@openfeature/web-sdk"), await measured('export * from "./src/openfeature/index.ts";')),
);

console.log("\nPeers, measured here the same way:");
const peers: [name: string, source: string][] = [
  ["unleash-proxy-client", 'export { UnleashClient } from "unleash-proxy-client";'],
  ["flagsmith", 'export { default } from "flagsmith";'],
  ["@growthbook/growthbook", 'export { GrowthBook } from "@growthbook/growthbook";'],
  ["launchdarkly-js-client-sdk", 'export { initialize } from "launchdarkly-js-client-sdk";'],
];
for (const [name, source] of peers) console.log(row(`${name} ${versionOf(name)}`, await measured(source)));
console.log(
  "  (reference figures measured elsewhere: unleash-proxy-client 8.1 kB, flagsmith 9.6 kB,\n" +
    "   @growthbook/growthbook 14.5 kB, launchdarkly-js-client-sdk 18.6 kB)",
);

const over = own.gzipBytes > maxGzipBytes;
console.log(`\nBudget: ${own.gzipBytes} of ${maxGzipBytes} gzip bytes (size-budget.json): ${over ? "OVER BUDGET" : "ok"}`);
process.exitCode = over ? 1 : 0;
