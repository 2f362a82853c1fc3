import { readdirSync, readFileSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { Hono } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "../http/app-env";

/** Paths the console never answers: the API and the operational endpoints keep their JSON 404s. */
const SERVER_PATHS = /^\/(?:api|ofrep|healthz|readyz|metrics|openapi\.json|docs)(?:\/|$)/;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

// Vite names everything under assets/ after a hash of its content: such a URL never changes meaning.
const IMMUTABLE = "public, max-age=31536000, immutable";
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

interface ConsoleFile {
  path: string;
  type: string;
  cacheControl: string;
}

/**
 * The files of the built console by URL path. Only what this listing holds is ever read, so no URL
 * (`..`, encoded slashes, symlinks out of the directory) can name a file outside it.
 */
function listFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    return files;
  }
  for (const entry of entries) {
    const type = CONTENT_TYPES[extname(entry)];
    if (type === undefined) continue;
    const urlPath = `/${relative(dir, join(dir, entry)).split(sep).join("/")}`;
    files.set(urlPath, { path: join(dir, entry), type, cacheControl: urlPath.startsWith("/assets/") ? IMMUTABLE : "no-cache" });
  }
  return files;
}

/**
 * The admin console (apps/console, built by Vite) as static files at `/`, with the single-page
 * app's own routes falling back to index.html. Mounted after every API route.
 */
export function consoleRoutes(options: { dir: string }) {
  const app = new Hono<AppEnv>();
  let files = listFiles(options.dir);

  app.get("*", (c) => {
    const path = c.req.path;
    if (SERVER_PATHS.test(path)) throw new AppError("NOT_FOUND", `No route for ${c.req.method} ${path}`);
    // Built after the server started (e.g. `pnpm --filter @switchyard/console build` in another terminal).
    if (!files.has("/index.html")) files = listFiles(options.dir);
    const file = files.get(path === "/" ? "/index.html" : path) ?? (path.startsWith("/assets/") ? undefined : files.get("/index.html"));
    if (file === undefined) {
      throw new AppError("NOT_FOUND", files.size === 0 ? "The console is not built: run `pnpm build`" : `No file ${path}`);
    }
    let body: Buffer;
    try {
      body = readFileSync(file.path);
    } catch {
      files = listFiles(options.dir);
      throw new AppError("NOT_FOUND", `No file ${path}`);
    }
    c.header("Content-Type", file.type);
    c.header("Cache-Control", file.cacheControl);
    c.header("X-Content-Type-Options", "nosniff");
    if (file.type.startsWith("text/html")) c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    return c.body(new Uint8Array(body));
  });
  return app;
}
