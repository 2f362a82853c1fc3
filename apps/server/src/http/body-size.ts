import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../errors";
import type { AppEnv } from "./app-env";

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Refuses bodies over MAX_BODY_BYTES with 413. A declared Content-Length is checked up front,
 * which keeps @hono/node-server's fast body read on the hot path; only bodies without one
 * (chunked) are counted as they stream.
 */
export function limitBody(): MiddlewareHandler<AppEnv> {
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `The request body exceeds ${MAX_BODY_BYTES} bytes`);
  const streaming = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    const declared = c.req.header("content-length");
    if (declared === undefined) return streaming(c, next);
    if (Number(declared) > MAX_BODY_BYTES) throw tooLarge();
    await next();
  };
}
