import { defineConfig } from "vite";

// Preact through the automatic JSX runtime; no plugin needed. `pnpm build` writes dist/, which the
// server serves at `/` (apps/server/src/routes/console.ts).
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: { proxy: { "/api": "http://127.0.0.1:4242" } },
});
