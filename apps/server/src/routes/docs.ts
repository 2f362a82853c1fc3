import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { openApiDocument } from "../openapi/document";
import { operations } from "../openapi/operations";

const escape = (text: string) => text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch] ?? ch);

/** `/openapi.json` and a plain, self-contained `/docs` page (no CDN: it works offline). */
export function docsRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  app.get("/docs", (c) => {
    const rows = operations
      .map(
        (o) =>
          `<tr><td><code>${o.method.toUpperCase()}</code></td><td><code>${escape(o.path)}</code></td><td>${escape(o.tokens.join(", ") || "none")}</td><td>${escape(o.summary)}</td></tr>`,
      )
      .join("\n");
    return c.html(`<!doctype html><meta charset="utf-8"><title>Switchyard API</title>
<style>body{font:15px system-ui;margin:2rem;max-width:70rem}td{padding:.25rem .75rem;vertical-align:top;border-bottom:1px solid #eee}code{font-size:13px}</style>
<h1>Switchyard API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1, request schemas from the validators). Errors: <code>{"error":{"code","message","details"}}</code>.</p>
<table><tr><th>Method</th><th>Path</th><th>Token</th><th>What</th></tr>
${rows}</table>`);
  });
  return app;
}
