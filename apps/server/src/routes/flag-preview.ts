import { contextSchema, flagConfigInputSchema, normalizeContext } from "@switchyard/core/schema";
import type { Context, Handler } from "hono";
import { z } from "zod";
import { unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJson } from "../http/validation";
import { previewFlagChange, type PreviewedChange } from "../services/flag-preview";
import type { RouteDeps } from "./route-deps";

/** Contexts to evaluate besides the seen ones (one evaluation each). */
export const previewContextsSchema = z.array(contextSchema).max(1_000).optional();

const configPreviewSchema = flagConfigInputSchema.extend({ contexts: previewContextsSchema });
/** Config versions are PostgreSQL integers: a larger number is a 400 here, not an overflow in the database. */
const MAX_VERSION_NUMBER = 2_147_483_647;
const restorePreviewSchema = z.strictObject({
  restoreVersion: z.number().int().min(1).max(MAX_VERSION_NUMBER),
  contexts: previewContextsSchema,
});
const archivePreviewSchema = z.strictObject({ archive: z.literal(true), contexts: previewContextsSchema });

/** For the OpenAPI document: a config as PUT takes it, `{ "restoreVersion": n }`, or `{ "archive": true }`. */
export const previewRequestSchema = z.union([configPreviewSchema, restorePreviewSchema, archivePreviewSchema]);

/**
 * `POST /api/flags/:key/environments/:env/preview`. The body's shape picks the change (a union
 * would answer "invalid input" for a config with one bad field, so the fields decide which
 * schema checks it, and its errors are the ones a PUT would give).
 */
export function flagPreviewRoute(deps: RouteDeps, params: (c: Context<AppEnv>) => { flag: string; env: string }): Handler<AppEnv> {
  return async (c) => {
    const { flag, env } = params(c);
    const raw = await readJson(c, z.record(z.string(), z.unknown()), "preview request");
    let change: PreviewedChange;
    let contexts: Array<z.output<typeof contextSchema>>;
    if ("restoreVersion" in raw) {
      const body = await readJson(c, restorePreviewSchema, "preview request");
      change = { kind: "restore", version: body.restoreVersion };
      contexts = body.contexts ?? [];
    } else if ("archive" in raw) {
      contexts = (await readJson(c, archivePreviewSchema, "preview request")).contexts ?? [];
      change = { kind: "archive" };
    } else {
      const { contexts: extra, ...input } = await readJson(c, configPreviewSchema, "preview request");
      change = { kind: "put", input };
      contexts = extra ?? [];
    }
    return c.json(unwrap(await previewFlagChange(deps, flag, env, change, contexts.map(normalizeContext))));
  };
}
