import { flagKeySchema, flagMetadataSchema, variationListSchema } from "@switchyard/core/schema";
import { Hono } from "hono";
import { z } from "zod";
import { unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJson, readQuery } from "../http/validation";
import { flagKindList } from "../services/flag-defaults";
import * as flags from "../services/flags";
import { flagConfigRoutes } from "./flag-configs";
import { lastRehearsals } from "../rehearsals/rehearsal-service";
import { actorOf, type RouteDeps } from "./route-deps";

const flagFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000),
  kind: z.enum(flagKindList, { message: `must be one of ${flagKindList.join(", ")}` }),
  variations: variationListSchema,
  metadata: flagMetadataSchema,
  tags: z.array(z.string().trim().min(1).max(50)).max(50),
  owner: z.string().trim().min(1).max(200).nullable(),
  expectedLifetimeDays: z.number().int().min(1).max(3650).nullable(),
  permanent: z.boolean(),
};

export const flagCreateSchema = z.strictObject({
  key: flagKeySchema,
  name: flagFields.name.optional(),
  description: flagFields.description.optional(),
  kind: flagFields.kind.optional(),
  variations: flagFields.variations.optional(),
  metadata: flagFields.metadata.optional(),
  tags: flagFields.tags.optional(),
  owner: flagFields.owner.optional(),
  expectedLifetimeDays: flagFields.expectedLifetimeDays.optional(),
  permanent: flagFields.permanent.optional(),
});

export const flagPatchSchema = z.strictObject({
  name: flagFields.name.optional(),
  description: flagFields.description.optional(),
  kind: flagFields.kind.optional(),
  variations: flagFields.variations.optional(),
  metadata: flagFields.metadata.optional(),
  tags: flagFields.tags.optional(),
  owner: flagFields.owner.optional(),
  expectedLifetimeDays: flagFields.expectedLifetimeDays.optional(),
  permanent: flagFields.permanent.optional(),
  archived: z.boolean().optional(),
  comment: z.string().max(1000).optional(),
});

export const flagListQuerySchema = z.strictObject({
  archived: z.enum(["true", "false"], { message: "must be true or false" }).optional(),
  tag: z.string().optional(),
});

export function flagRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const query = readQuery(c, flagListQuerySchema);
    return c.json({ flags: await flags.listFlags(deps, { includeArchived: query.archived === "true", tag: query.tag }) });
  });

  app.post("/", async (c) => {
    const input = await readJson(c, flagCreateSchema, "flag");
    return c.json(unwrap(await flags.createFlag(deps, actorOf(c), input)), 201);
  });

  // One flag also shows its newest rollback rehearsal per environment (the list leaves them out).
  app.get("/:key", async (c) => {
    const flag = unwrap(await flags.getFlag(deps, c.req.param("key")));
    return c.json({ ...flag, lastRehearsals: await lastRehearsals(deps.db, flag.key) });
  });

  app.patch("/:key", async (c) => {
    const { comment, ...patch } = await readJson(c, flagPatchSchema, "flag");
    return c.json(unwrap(await flags.updateFlag(deps, actorOf(c), c.req.param("key"), patch, comment ?? null)));
  });

  // DELETE archives: flag keys are never reused, and history stays readable.
  app.delete("/:key", async (c) => {
    const comment = c.req.query("comment") ?? null;
    return c.json(unwrap(await flags.updateFlag(deps, actorOf(c), c.req.param("key"), { archived: true }, comment)));
  });

  app.route("/:key/environments", flagConfigRoutes(deps));
  return app;
}
