import { Hono } from "hono";
import { z } from "zod";
import { unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJson, readQuery } from "../http/validation";
import * as rehearsals from "../rehearsals/rehearsal-service";
import { RehearsalStatuses } from "../rehearsals/types";
import { actorOf, type RouteDeps } from "./route-deps";

export const MAX_TARGET_MS = 60_000;

export const rehearsalCreateSchema = z.strictObject({
  environment: z.string().min(1).max(200),
  flag: z.string().min(1).max(200),
  /** Every connected instance should acknowledge each write within this (default 2000). */
  targetMs: z.number().int().min(1).max(MAX_TARGET_MS).optional(),
  /** Required to rehearse in an environment marked `production`. */
  allowProduction: z.boolean().optional(),
});

const statuses = Object.values(RehearsalStatuses);

export const rehearsalListQuerySchema = z.strictObject({
  flag: z.string().min(1).max(200).optional(),
  environment: z.string().min(1).max(200).optional(),
  status: z.enum(statuses, { message: `must be one of ${statuses.join(", ")}` }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Rollback rehearsals: admin tokens only (a rehearsal turns a flag off and on again). */
export function rehearsalRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();

  // Answers when the rehearsal has ended: seconds, bounded by the target (at most a minute) per write.
  app.post("/", async (c) => {
    const input = await readJson(c, rehearsalCreateSchema, "rehearsal");
    return c.json(unwrap(await rehearsals.rehearse(deps, actorOf(c), input, deps.rehearsals)), 201);
  });

  app.get("/", async (c) => c.json({ rehearsals: await rehearsals.listRehearsalViews(deps.db, readQuery(c, rehearsalListQuerySchema)) }));

  app.get("/:id", async (c) => c.json(unwrap(await rehearsals.getRehearsalView(deps.db, c.req.param("id")))));

  return app;
}
