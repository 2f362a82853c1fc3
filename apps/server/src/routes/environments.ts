import { flagKeySchema } from "@switchyard/core/schema";
import { Hono } from "hono";
import { z } from "zod";
import { unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJson } from "../http/validation";
import * as environments from "../services/environments";
import { readInstances } from "../services/sdk-usage";
import { actorOf, type RouteDeps } from "./route-deps";

export const environmentCreateSchema = z.strictObject({
  key: flagKeySchema,
  name: z.string().trim().min(1).max(200).optional(),
  /** Rollback rehearsals are refused here unless they pass `allowProduction`. */
  production: z.boolean().optional(),
});

export const environmentPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    webhookUrl: z
      .url({ protocol: /^https?$/, message: "must be an http:// or https:// URL" })
      .max(2000)
      .nullable()
      .optional(),
    webhookSecret: z.string().min(16, "must be at least 16 characters").max(200).nullable().optional(),
    /** Keep a sample of the contexts evaluated here for previews; false also deletes the sample kept. */
    seenContexts: z.boolean().optional(),
    /** Writes flipping more than this share of seen evaluations need `"confirm": true`; null turns the guard off. */
    confirmFlipShare: z.number().min(0).max(1).nullable().optional(),
    /** Rollback rehearsals are refused here unless they pass `allowProduction`. */
    production: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, {
    message: "send at least one of name, webhookUrl, webhookSecret, seenContexts, confirmFlipShare, production",
  });

export function environmentRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => c.json({ environments: await environments.listEnvironments(deps) }));

  app.post("/", async (c) => {
    const input = await readJson(c, environmentCreateSchema, "environment");
    const created = unwrap(
      await environments.createEnvironment(deps, actorOf(c), {
        key: input.key,
        name: input.name ?? input.key,
        production: input.production,
      }),
    );
    return c.json(created, 201);
  });

  app.get("/:env", async (c) => c.json(unwrap(await environments.getEnvironment(deps, c.req.param("env")))));

  app.patch("/:env", async (c) => {
    const patch = await readJson(c, environmentPatchSchema, "environment");
    const updated = unwrap(await environments.updateEnvironment(deps, actorOf(c), c.req.param("env"), patch));
    if (patch.seenContexts !== undefined) deps.seenContexts.forget(updated.key);
    return c.json(updated);
  });

  // Which SDK instances of the environment serve which config version, and whether their stream is open.
  app.get("/:env/instances", async (c) => {
    const env = unwrap(await environments.getEnvironment(deps, c.req.param("env")));
    return c.json({
      environment: env.key,
      version: deps.live.environment(env.key)?.version ?? null,
      instances: await readInstances(deps.db, env.key),
    });
  });

  app.delete("/:env", async (c) => c.json(unwrap(await environments.deleteEnvironment(deps, actorOf(c), c.req.param("env")))));

  return app;
}
