import { defineConfig } from "tsup";

// The bin (`dist/main.js`, run by `switchyard-relay`) and the library entry (`createRelay`,
// `parseRelayConfig`). The server modules the relay shares (the hub, events, transport and the
// SDK, client and OFREP routes) and `@switchyard/core` are bundled in; they import no database
// code, so the relay installs with its HTTP and SSE dependencies alone.
export default defineConfig({
  entry: { index: "src/index.ts", main: "src/main.ts" },
  tsconfig: "tsconfig.build.json",
  format: ["esm"],
  platform: "node",
  target: "node20",
  noExternal: ["@switchyard/core"],
  dts: { entry: { index: "src/index.ts" } },
  sourcemap: true,
  clean: true,
});
