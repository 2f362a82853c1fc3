import { defineConfig } from "tsup";

// The bin (`dist/main.js`, run by `switchyard-server`) and the library entry (`createServer`,
// `parseConfig`) share chunks. Dependencies stay external; `@switchyard/core` (a devDependency) is
// bundled in, so the built server also runs inside the workspace, where the core resolves to
// TypeScript source. `dist/` sits directly under the package like `src/`, so `../migrations`
// resolves from both (src/migrations-folder.ts). `pnpm start` sets SWITCHYARD_BUILD_TYPES=0: the
// declarations take most of the build and the quick start does not need them.
export default defineConfig({
  entry: { index: "src/index.ts", main: "src/main.ts" },
  tsconfig: "tsconfig.build.json",
  format: ["esm"],
  platform: "node",
  target: "node20",
  noExternal: ["@switchyard/core"],
  dts: process.env.SWITCHYARD_BUILD_TYPES === "0" ? false : { entry: { index: "src/index.ts" } },
  sourcemap: true,
  clean: true,
});
