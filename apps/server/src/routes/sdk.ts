import { Hono } from "hono";
import { AppError } from "../errors";
import { serverOnly } from "../http/auth";
import type { AppEnv } from "../http/app-env";
import type { RouteDeps } from "./route-deps";

/** Matches any entity-tag in an If-None-Match list, weak or strong (RFC 9110 weak comparison). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === bare;
  });
}

export function sdkRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();
  app.use("*", serverOnly(deps.live));

  // Served from memory: the body is serialized once per change, not per request.
  app.get("/flags", (c) => {
    const envKey = c.get("token").environmentKey;
    const view = envKey === null ? undefined : deps.live.environment(envKey);
    if (!view) throw new AppError("NOT_FOUND", `The token's environment '${envKey ?? "?"}' does not exist`);
    c.header("ETag", view.etag);
    c.header("Cache-Control", "no-cache");
    if (etagMatches(c.req.header("if-none-match"), view.etag)) return c.body(null, 304);
    c.header("Content-Type", "application/json");
    return c.body(view.sdkBody);
  });

  return app;
}
