import { defineConfig } from "tsup";

// ESM and CommonJS (a CommonJS service must be able to `require()` the SDK). Dependencies and the
// optional OpenFeature peer stay external: the application installs them once.
export default defineConfig({
  entry: { index: "src/index.ts", "openfeature/index": "src/openfeature/index.ts" },
  tsconfig: "tsconfig.build.json",
  format: ["esm", "cjs"],
  platform: "node",
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
});
