import { contextSchema, normalizeContext } from "@switchyard/core/schema";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { z } from "zod";
import { AppError } from "../errors";
import { clientOnly } from "../http/auth";
import type { AppEnv } from "../http/app-env";
import { readJson } from "../http/validation";
import { evaluateForClientJson } from "../services/client-evaluation";
import type { RouteDeps } from "./route-deps";

export const clientEvaluateSchema = z.object({ context: contextSchema });

export function clientRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();
  // Client tokens are meant for web pages on any origin; they can only read evaluated values.
  app.use("*", cors({ origin: "*", allowHeaders: ["Authorization", "Content-Type", "If-None-Match"], exposeHeaders: ["ETag"], maxAge: 86_400 }));
  app.use("*", clientOnly(deps.live));

  app.post("/evaluate", async (c) => {
    const { context } = await readJson(c, clientEvaluateSchema, "evaluation request");
    const envKey = c.get("token").environmentKey;
    const view = envKey === null ? undefined : deps.live.environment(envKey);
    if (!view) throw new AppError("NOT_FOUND", `The token's environment '${envKey ?? "?"}' does not exist`);
    c.header("Content-Type", "application/json");
    return c.body(evaluateForClientJson(view.engine, normalizeContext(context)));
  });

  return app;
}
