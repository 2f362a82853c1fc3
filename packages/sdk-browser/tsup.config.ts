import { defineConfig } from "tsup";

export default defineConfig([
  {
    // For bundlers: ESM only, unminified (the application's bundler minifies and tree-shakes).
    entry: { index: "src/index.ts", "openfeature/index": "src/openfeature/index.ts" },
    tsconfig: "tsconfig.build.json",
    format: ["esm"],
    platform: "browser",
    target: "es2022",
    dts: true,
    sourcemap: true,
    clean: true,
  },
  {
    // For a plain `<script src=".../switchyard.global.js">`: defines `window.Switchyard.createClient`.
    entry: { switchyard: "src/global.ts" },
    tsconfig: "tsconfig.build.json",
    format: ["iife"],
    globalName: "Switchyard",
    platform: "browser",
    target: "es2020",
    minify: true,
    sourcemap: true,
  },
]);
