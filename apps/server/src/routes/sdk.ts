import type { EvaluationContext } from "@switchyard/core";
import { contextSchema, flagKeySchema, normalizeContext } from "@switchyard/core/schema";
import type { EnvironmentView } from "../live/live-state";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { AppError, unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJson } from "../http/validation";
import { serveAdmittedSse } from "../live/transport/hono-sse";
import { tokenEnvironment, type ContextSample, type ReadRouteDeps } from "./route-deps";
import { compressJson } from "../http/compression";
import { etagMatches } from "../http/etag";
import { EPOCH_PATTERN, parseEventId } from "../live/events/sdk-events";

export const instanceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,100}$/, "must be 1–100 characters of A–Z, a–z, 0–9, '.', '_', ':' or '-'");

const count = z.number().int().min(1).max(1_000_000_000);
export const sdkNameSchema = z.string().min(1).max(100);
export const epochSchema = z.string().regex(EPOCH_PATTERN, "must be the 12 hex digits the server sent as epoch");
export const variationSchema = z.number().int().min(0).max(99);
export const eventNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,100}$/, "must be 1–100 characters of A–Z, a–z, 0–9, '.', '_', ':' or '-'");
export const sdkMetricsSchema = z.strictObject({
  instanceId: instanceIdSchema,
  sdk: sdkNameSchema.optional(),
  version: z.number().int().min(0).optional(),
  epoch: epochSchema.optional(),
  periodStart: z.iso.datetime().optional(),
  periodEnd: z.iso.datetime().optional(),
  evaluations: z
    .array(z.strictObject({ flag: flagKeySchema, variation: variationSchema, count }))
    .max(10_000)
    .default([]),
  events: z
    .array(z.strictObject({ event: eventNameSchema, flag: flagKeySchema.optional(), variation: variationSchema.optional(), count }))
    .max(10_000)
    .default([]),
  /** A bounded sample of the contexts evaluated this period, for previews (docs/sdk-protocol.md). */
  contexts: z
    .array(z.strictObject({ context: contextSchema, count }))
    .max(1_000)
    .default([]),
});

export type SdkMetricsReport = z.infer<typeof sdkMetricsSchema>;

/** SDK-reported contexts join the environment's sample, weighted by their evaluations. */
export function offerReportedContexts(
  recorder: ContextSample,
  view: EnvironmentView,
  contexts: ReadonlyArray<{ context: EvaluationContext; count: number }>,
): void {
  for (const { context, count } of contexts) recorder.offer(view, normalizeContext(context), count);
}

/** `GET /api/sdk/flags` (and a relay's upstream read of it): the view's payload, or 304 when the ETag matches. */
export function sdkPayload(c: Context<AppEnv>, view: EnvironmentView): Response {
  c.header("ETag", view.etag);
  c.header("Cache-Control", "no-cache");
  if (etagMatches(c.req.header("if-none-match"), view.etag)) return c.body(null, 304);
  c.header("Content-Type", "application/json");
  return c.body(view.sdkBody);
}

export function sdkRoutes(deps: ReadRouteDeps) {
  const app = new Hono<AppEnv>();

  // Served from memory: the body is serialized once per change, and compressed once per encoding.
  app.get("/flags", compressJson({ cacheByEtag: true }), (c) => sdkPayload(c, tokenEnvironment(c, deps.live)));

  app.get("/stream", (c) => {
    const view = tokenEnvironment(c, deps.live);
    const rawInstance = c.req.header("x-switchyard-instance") ?? c.req.query("instance");
    let instanceId: string | undefined;
    if (rawInstance !== undefined) {
      const parsed = instanceIdSchema.safeParse(rawInstance);
      if (!parsed.success)
        throw new AppError("VALIDATION_FAILED", `Invalid instance id: ${parsed.error.issues[0]?.message ?? ""}`, [
          { path: "X-Switchyard-Instance", message: parsed.error.issues[0]?.message ?? "invalid" },
        ]);
      instanceId = parsed.data;
    }
    const lastEventId = parseEventId(c.req.header("last-event-id") ?? c.req.query("lastEventId"), view.epoch);
    const tokenId = c.get("token").id;
    return serveAdmittedSse(c, deps.admitStream(c), (sink) =>
      deps.hub.connectSdk({ environmentKey: view.key, tokenId, instanceId, lastEventId, sink }),
    );
  });

  app.post("/metrics", async (c) => {
    const view = tokenEnvironment(c, deps.live);
    const report = await readJson(c, sdkMetricsSchema, "metrics report");
    const receipt = unwrap(await deps.metrics.record(view, "server", report));
    // `reportAfterMs` while a deploy observes the environment; absent, the SDK keeps its own interval.
    return c.json({ ...receipt, ...(await deps.metrics.hint(view.key)) }, 202);
  });

  return app;
}
