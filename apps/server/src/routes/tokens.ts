import { Hono } from "hono";
import { z } from "zod";
import { tokenKindList } from "../auth/token-secrets";
import { unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJson } from "../http/validation";
import * as tokens from "../services/tokens";
import { actorOf, type RouteDeps } from "./route-deps";

export const tokenCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(tokenKindList, { message: `must be one of ${tokenKindList.join(", ")}` }),
  environment: z.string().min(1).optional(),
  /** Relay tokens only: the environments the relay serves. */
  environments: z
    .array(z.string().min(1))
    .min(1)
    .max(50)
    .refine((keys) => new Set(keys).size === keys.length, "must not name an environment twice")
    .optional(),
});

export function tokenRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => c.json({ tokens: await tokens.listTokens(deps) }));

  app.post("/", async (c) => {
    const input = await readJson(c, tokenCreateSchema, "token");
    return c.json(unwrap(await tokens.createToken(deps, actorOf(c), input)), 201);
  });

  app.delete("/:id", async (c) => c.json(unwrap(await tokens.deleteToken(deps, actorOf(c), c.req.param("id")))));

  return app;
}
