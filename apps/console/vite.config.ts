import { defineConfig } from "vite";

// Preact through the automatic JSX runtime; no plugin needed. `pnpm build` writes the console into
// the server package (apps/server/console), which serves it at `/` and ships it in its tarball.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "../server/console", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: { proxy: { "/api": "http://127.0.0.1:4242" } },
});
