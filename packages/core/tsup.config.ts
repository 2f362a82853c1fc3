import { defineConfig } from "tsup";

// ESM and CommonJS from one source, each with its own declarations (.d.ts / .d.cts), so that
// `import` and `require()` both type-check under node16 resolution.
export default defineConfig({
  entry: { index: "src/index.ts", "schema/index": "src/schema/index.ts" },
  tsconfig: "tsconfig.build.json",
  format: ["esm", "cjs"],
  target: "es2022",
  dts: true,
  sourcemap: true,
  clean: true,
});
