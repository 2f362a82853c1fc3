import { segmentInputSchema } from "@switchyard/core/schema";
import { Hono } from "hono";
import { z } from "zod";
import { AppError, unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { parseValue, readIfMatch, readJson } from "../http/validation";
import * as segments from "../services/segments";
import { actorOf, type RouteDeps } from "./route-deps";

export const segmentCreateSchema = segmentInputSchema;
const putEnvelopeSchema = z.looseObject({ key: z.unknown().optional(), comment: z.string().max(1000).optional() });

export function segmentRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => c.json({ segments: await segments.listSegments(deps) }));

  app.post("/", async (c) => {
    const input = await readJson(c, segmentCreateSchema, "segment");
    return c.json(unwrap(await segments.createSegment(deps, actorOf(c), input)), 201);
  });

  app.get("/:key", async (c) => c.json(unwrap(await segments.getSegment(deps, c.req.param("key")))));

  // PUT replaces the segment; the key comes from the path (a differing key in the body is refused).
  app.put("/:key", async (c) => {
    const key = c.req.param("key");
    const { comment, ...body } = await readJson(c, putEnvelopeSchema, "segment");
    if (body.key !== undefined && body.key !== key) {
      throw new AppError("VALIDATION_FAILED", `Segment keys cannot change: the body says '${String(body.key)}', the path '${key}'`, [
        { path: "key", message: "must match the key in the path" },
      ]);
    }
    const input = parseValue(segmentInputSchema, { ...body, key }, "segment");
    return c.json(
      unwrap(await segments.replaceSegment(deps, actorOf(c), key, input, { expectedVersion: readIfMatch(c), comment: comment ?? null })),
    );
  });

  app.delete("/:key", async (c) => c.json(unwrap(await segments.deleteSegment(deps, actorOf(c), c.req.param("key")))));

  return app;
}
