import { defineConfig } from "tsup";

// One executable file for `switchyard` (src/main.ts starts with a hashbang); `@switchyard/core` is a
// devDependency, so its few helpers are bundled in and the CLI installs with `ignore` only.
export default defineConfig({
  entry: { main: "src/main.ts" },
  tsconfig: "tsconfig.build.json",
  format: ["esm"],
  platform: "node",
  target: "node20",
  sourcemap: true,
  clean: true,
});
