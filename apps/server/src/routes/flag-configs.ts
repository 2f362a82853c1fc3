import { flagConfigInputSchema } from "@switchyard/core/schema";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { AppError, unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readIfMatch, readJson, readQuery } from "../http/validation";
import * as configs from "../services/flag-configs";
import { actorOf, type RouteDeps } from "./route-deps";

const commentSchema = z.string().max(1000).optional();

export const flagConfigPutSchema = flagConfigInputSchema.extend({ comment: commentSchema });
export const flagConfigPatchSchema = flagConfigInputSchema.partial().extend({ comment: commentSchema });
export const restoreSchema = z.strictObject({ comment: commentSchema });
export const versionsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

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

  app.get("/:env", async (c) => {
    const { flag, env } = params(c);
    return c.json(withEtag(c, unwrap(await configs.getFlagConfig(deps, flag, env))));
  });

  app.put("/:env", async (c) => {
    const { flag, env } = params(c);
    const { comment, ...input } = await readJson(c, flagConfigPutSchema, "flag config");
    const options = { expectedVersion: readIfMatch(c), comment: comment ?? null };
    return c.json(withEtag(c, unwrap(await configs.putFlagConfig(deps, actorOf(c), flag, env, input, options))));
  });

  app.patch("/:env", async (c) => {
    const { flag, env } = params(c);
    const raw = await readJson(c, z.record(z.string(), z.unknown()), "flag config patch");
    // Only the fields the client sent are changed (schema defaults must not fill the others in).
    const parsed = await readJson(c, flagConfigPatchSchema, "flag config patch");
    const { comment, ...rest } = parsed;
    const patch = Object.fromEntries(Object.entries(rest).filter(([field]) => field in raw));
    const token = c.get("token");
    if (token.kind === "deploy") {
      // Turning a flag off is never blocked (contract); a deploy token can do that and nothing else.
      if (token.environmentKey !== env)
        throw new AppError("FORBIDDEN", `'${token.name}' is a deploy token of '${token.environmentKey ?? "?"}', not of '${env}'`);
      if (Object.keys(patch).length !== 1 || patch.enabled !== false) {
        throw new AppError("FORBIDDEN", `A deploy token can only turn flags off: send {"enabled": false} (and optionally a comment)`);
      }
    }
    const options = { expectedVersion: readIfMatch(c), comment: comment ?? null };
    const written = withEtag(c, unwrap(await configs.patchFlagConfig(deps, actorOf(c), flag, env, patch, options)));
    // A deploy token never sees rules: it learns that the flag is off, and in which version.
    if (token.kind === "deploy") {
      const { flag: key, environment, enabled, version, updatedAt } = written;
      return c.json({ flag: key, environment, enabled, version, updatedAt });
    }
    return c.json(written);
  });

  app.get("/:env/versions", async (c) => {
    const { flag, env } = params(c);
    const page = readQuery(c, versionsQuerySchema);
    return c.json({ versions: unwrap(await configs.listFlagConfigVersions(deps, flag, env, page)) });
  });

  app.post("/:env/versions/:n/restore", async (c) => {
    const { flag, env } = params(c);
    const n = c.req.param("n");
    if (!/^\d{1,9}$/.test(n)) throw new AppError("NOT_FOUND", `'${n}' is not a version number`);
    const text = await c.req.text();
    const { comment } = text.trim() === "" ? { comment: undefined } : await readJson(c, restoreSchema, "restore request");
    const options = { expectedVersion: readIfMatch(c), comment: comment ?? null };
    return c.json(withEtag(c, unwrap(await configs.restoreFlagConfig(deps, actorOf(c), flag, env, Number(n), options))));
  });

  return app;
}
