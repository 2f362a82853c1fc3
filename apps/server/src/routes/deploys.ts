import { Hono, type Context } from "hono";
import { z } from "zod";
import { unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJson, readQuery } from "../http/validation";
import * as deploys from "../deploys/deploy-service";
import { BreachResponses } from "../deploys/types";
import { actorOf, type RouteDeps } from "./route-deps";

const name = z.string().trim().min(1).max(200);
const breachResponses = Object.values(BreachResponses);

const checkSchema = z
  .strictObject({
    signal: z.string().trim().min(1).max(100),
    max: z.number().finite().optional(),
    min: z.number().finite().optional(),
    minSamples: z.number().int().min(1).max(1_000_000_000).optional(),
    query: z.string().trim().min(1).max(4_000).optional(),
  })
  .superRefine((check, ctx) => {
    if ((check.max === undefined) === (check.min === undefined)) {
      ctx.addIssue({ code: "custom", message: "give exactly one of max or min" });
    }
  });

const guardSchema = z
  .strictObject({
    windowSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600),
    intervalSeconds: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600),
    checks: z.array(checkSchema).min(1, { message: "needs at least one check" }).max(20),
    onBreach: z.enum(breachResponses, { message: `must be one of ${breachResponses.join(", ")}` }).default(BreachResponses.disableFlags),
    acknowledgeRatio: z.number().gt(0).max(1).optional(),
    acknowledgeIntervals: z.number().int().min(1).max(100).optional(),
    probe: z.boolean().optional(),
    significance: z.number().gt(0).max(0.5).optional(),
    browserCounts: z.boolean().optional(),
  })
  .superRefine((guard, ctx) => {
    if (guard.windowSeconds < guard.intervalSeconds) {
      ctx.addIssue({ code: "custom", path: ["windowSeconds"], message: `must be at least intervalSeconds (${guard.intervalSeconds})` });
    }
  });

export const deployCreateSchema = z.strictObject({
  service: name,
  version: name,
  environment: z.string().min(1).max(200),
  commit: z.string().trim().min(1).max(200).optional(),
  flags: z
    .array(z.string().min(1).max(200))
    .max(50)
    .refine((keys) => new Set(keys).size === keys.length, { message: "lists a flag twice" }),
  guard: guardSchema,
});

/** A cohort sample names a flag and the variation its traffic got; one without the other says nothing about a cohort. */
const sampleSchema = z
  .strictObject({
    signal: z.string().trim().min(1).max(100),
    value: z.number().finite(),
    at: z.iso.datetime({ offset: true }).optional(),
    flag: z.string().min(1).max(200).optional(),
    variation: z.number().int().min(0).max(1000).optional(),
  })
  .superRefine((sample, ctx) => {
    if (sample.flag !== undefined && sample.variation === undefined)
      ctx.addIssue({ code: "custom", path: ["variation"], message: "a sample naming a flag needs the variation (index) its cohort got" });
    if (sample.flag === undefined && sample.variation !== undefined)
      ctx.addIssue({ code: "custom", path: ["flag"], message: "a sample with a variation needs the flag it belongs to" });
  });

export const MAX_SAMPLES = 1_000;
export const signalsSchema = z.union([sampleSchema, z.strictObject({ samples: z.array(sampleSchema).min(1).max(MAX_SAMPLES) })]);

export const deployListQuerySchema = z.strictObject({
  service: z.string().min(1).max(200).optional(),
  environment: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * A deploy token never sees rules: the snapshot of every flag config a deploy keeps for
 * `restore-flags` is shown to admin tokens only.
 */
function forToken<T extends deploys.DeployView>(c: Context<AppEnv>, view: T): T | Omit<T, "snapshot"> {
  return c.get("token").kind === "admin" ? view : deploys.withoutSnapshot(view);
}

/** A deploy token acts in its one environment; an admin token in any. */
const scopeOf = (c: Context<AppEnv>): string | null => {
  const token = c.get("token");
  // Every non-admin token has an environment; were one missing, it must see nothing rather than everything.
  return token.kind === "admin" ? null : (token.environmentKey ?? "");
};

export function deployRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();

  app.post("/", async (c) => {
    const input = await readJson(c, deployCreateSchema, "deploy");
    deploys.assertEnvironmentScope(scopeOf(c), input.environment);
    return c.json(forToken(c, unwrap(await deploys.createDeploy(deps, actorOf(c), input))), 201);
  });

  app.get("/", async (c) => {
    const query = readQuery(c, deployListQuerySchema);
    const scope = scopeOf(c);
    if (query.environment !== undefined) deploys.assertEnvironmentScope(scope, query.environment);
    const environment = query.environment ?? scope ?? undefined;
    return c.json({ deploys: await deploys.listDeployViews(deps.db, { service: query.service, environment, limit: query.limit }) });
  });

  app.get("/:id", async (c) => c.json(forToken(c, unwrap(await deploys.getDeployView(deps.db, c.req.param("id"), scopeOf(c))))));

  app.post("/:id/signals", async (c) => {
    const body = await readJson(c, signalsSchema, "signals");
    const samples = "samples" in body ? body.samples : [body];
    return c.json(unwrap(await deploys.recordSignals(deps.db, c.req.param("id"), scopeOf(c), samples)), 202);
  });

  // Turning flags back on is an admin's call: a deploy token turns flags off, never on.
  app.post("/:id/restore-flags", async (c) => c.json(unwrap(await deploys.restoreFlags(deps, actorOf(c), c.req.param("id"), scopeOf(c)))));

  return app;
}
