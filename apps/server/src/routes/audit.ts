import { Hono } from "hono";
import { etag } from "hono/etag";
import { z } from "zod";
import { unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readQuery } from "../http/validation";
import { readAudit } from "../services/audit";
import type { RouteDeps } from "./route-deps";

export const auditQuerySchema = z.strictObject({
  flag: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  limit: z.coerce.number({ message: "must be a number" }).int().min(1).max(200).default(50),
  cursor: z.string().min(1).optional(),
});

export function auditRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();
  // The console polls `?limit=1` with If-None-Match to notice changes: nothing new costs a 304.
  app.use("*", etag());
  app.get("/", async (c) => c.json(unwrap(await readAudit(deps, readQuery(c, auditQuerySchema)))));
  return app;
}
