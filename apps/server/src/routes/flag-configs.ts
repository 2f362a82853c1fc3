import { flagConfigInputSchema } from "@switchyard/core/schema";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { AppError, unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readIfMatch, readJson, readQuery } from "../http/validation";
import * as configs from "../services/flag-configs";
import { guardFlips, previewPrepared } from "../services/flag-preview";
import { flagPreviewRoute } from "./flag-preview";
import { actorOf, type RouteDeps } from "./route-deps";

const commentSchema = z.string().max(1000).optional();
/** Acknowledges a change the environment's confirmFlipShare would otherwise refuse (428). */
const confirmSchema = z.boolean().optional();

export const flagConfigPutSchema = flagConfigInputSchema.extend({ comment: commentSchema, confirm: confirmSchema });
export const flagConfigPatchSchema = flagConfigInputSchema.partial().extend({ comment: commentSchema, confirm: confirmSchema });
export const restoreSchema = z.strictObject({ comment: commentSchema, confirm: confirmSchema });
export const versionsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});
/** `?dryRun=true`: validate and preview, write nothing, audit nothing. */
export const dryRunQuerySchema = z.object({ dryRun: z.enum(["true", "false"]).optional() });

/** The config's version is its ETag, so `If-Match` can quote what `GET` returned. */
function withEtag(c: Context<AppEnv>, view: configs.FlagConfigView) {
  c.header("ETag", `"${view.version}"`);
  return view;
}

export function flagConfigRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();
  const params = (c: Context<AppEnv>) => {
    const flag = c.req.param("key");
    const env = c.req.param("env");
    if (flag === undefined || env === undefined) throw new AppError("NOT_FOUND", "No such flag config");
    return { flag, env };
  };

  /**
   * What PUT, PATCH and restore share: `?dryRun=true` answers the validated config and its
   * preview; otherwise the flip guard, then the write.
   */
  const write = async (
    c: Context<AppEnv>,
    change: configs.ConfigChange,
    body: { comment?: string | undefined; confirm?: boolean | undefined },
  ) => {
    const { flag, env } = params(c);
    const expectedVersion = readIfMatch(c);
    if (readQuery(c, dryRunQuerySchema).dryRun === "true") {
      const prepared = unwrap(await configs.prepareFlagConfig(deps.db, flag, env, change, { expectedVersion }));
      return c.json({
        dryRun: true,
        config: configs.dryRunView(prepared, env),
        preview: await previewPrepared(deps, env, prepared, change.kind),
      });
    }
    unwrap(await guardFlips(deps, flag, env, change, body.confirm === true));
    const options = { expectedVersion, comment: body.comment ?? null };
    const actor = actorOf(c);
    const result =
      change.kind === "put"
        ? await configs.putFlagConfig(deps, actor, flag, env, change.input, options)
        : change.kind === "patch"
          ? await configs.patchFlagConfig(deps, actor, flag, env, change.patch, options)
          : await configs.restoreFlagConfig(deps, actor, flag, env, change.version, options);
    return c.json(withEtag(c, unwrap(result)));
  };

  app.get("/:env", async (c) => {
    const { flag, env } = params(c);
    return c.json(withEtag(c, unwrap(await configs.getFlagConfig(deps, flag, env))));
  });

  app.put("/:env", async (c) => {
    const { comment, confirm, ...input } = await readJson(c, flagConfigPutSchema, "flag config");
    return write(c, { kind: "put", input }, { comment, confirm });
  });

  app.patch("/:env", async (c) => {
    const { flag, env } = params(c);
    const raw = await readJson(c, z.record(z.string(), z.unknown()), "flag config patch");
    // Only the fields the client sent are changed (schema defaults must not fill the others in).
    const parsed = await readJson(c, flagConfigPatchSchema, "flag config patch");
    const { comment, confirm, ...rest } = parsed;
    const patch = Object.fromEntries(Object.entries(rest).filter(([field]) => field in raw));
    const token = c.get("token");
    if (token.kind === "deploy") {
      // Turning a flag off is never blocked (contract); a deploy token can do that and nothing else
      // (its environment is the path's: the route table's `scope: "path"`).
      if (Object.keys(patch).length !== 1 || patch.enabled !== false) {
        throw new AppError("FORBIDDEN", `A deploy token can only turn flags off: send {"enabled": false} (and optionally a comment)`);
      }
    }
    if (token.kind !== "deploy") return write(c, { kind: "patch", patch }, { comment, confirm });
    // A deploy token never sees rules (so no dry run, whose answer holds the config and the
    // contexts), and its flag-off is never held back by the flip guard: it learns that the flag
    // is off, and in which version.
    if (readQuery(c, dryRunQuerySchema).dryRun === "true") throw new AppError("FORBIDDEN", "A deploy token cannot dry-run config changes");
    const options = { expectedVersion: readIfMatch(c), comment: comment ?? null };
    const written = withEtag(c, unwrap(await configs.patchFlagConfig(deps, actorOf(c), flag, env, patch, options)));
    const { flag: key, environment, enabled, version, updatedAt } = written;
    return c.json({ flag: key, environment, enabled, version, updatedAt });
  });

  app.get("/:env/versions", async (c) => {
    const { flag, env } = params(c);
    const page = readQuery(c, versionsQuerySchema);
    return c.json({ versions: unwrap(await configs.listFlagConfigVersions(deps, flag, env, page)) });
  });

  app.post("/:env/versions/:n/restore", async (c) => {
    const n = c.req.param("n");
    if (!/^\d{1,9}$/.test(n)) throw new AppError("NOT_FOUND", `'${n}' is not a version number`);
    const text = await c.req.text();
    const body = text.trim() === "" ? {} : await readJson(c, restoreSchema, "restore request");
    return write(c, { kind: "restore", version: Number(n) }, body);
  });

  app.post("/:env/preview", flagPreviewRoute(deps, params));

  return app;
}
