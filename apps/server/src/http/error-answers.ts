import type { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { AppError } from "../errors";
import type { AppEnv } from "./app-env";

/**
 * How a Switchyard app (the server, a relay) answers what no route handled: an unknown path is a
 * 404 in the error envelope, an AppError its own status, and anything else a logged 500 that names
 * the request id and nothing of the error.
 */
export function answerErrors(app: Hono<AppEnv>, logger: Logger): void {
  app.notFound((c) => c.json(new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`).toBody(), 404));
  app.onError((error, c) => {
    if (error instanceof AppError) return c.json(error.toBody(), error.status);
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: { code: "BAD_REQUEST", message: error.message || "Bad request" } }, error.status);
    }
    logger.error({ err: error, requestId: c.get("requestId"), method: c.req.method, path: c.req.path }, "unhandled error");
    return c.json(new AppError("INTERNAL", `Internal server error (request id ${c.get("requestId")})`).toBody(), 500);
  });
}
