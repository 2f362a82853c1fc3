import { contextSchema, flagKeySchema } from "@switchyard/core/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { AppError, unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { compressJson } from "../http/compression";
import { etagMatches } from "../http/etag";
import { readJson } from "../http/validation";
import { parseEventId } from "../live/events/sdk-events";
import type { EnvironmentView } from "../live/live-state";
import type { MetricsHint } from "../live/metrics-hint";
import { serveAdmittedSse } from "../live/transport/hono-sse";
import { recordRelayReport, relayTokenList } from "../services/relay";
import { CountSources } from "../store/schema";
import type { RouteDeps } from "./route-deps";
import { epochSchema, eventNameSchema, instanceIdSchema, sdkNameSchema, sdkPayload, variationSchema } from "./sdk";

const environmentSchema = z.string().min(1).max(100);

const sourceSchema = z.enum([CountSources.server, CountSources.browser], { message: "must be server or browser" });
/** A sum of many reports' counts: up to a billion each, so well past one report's bound. */
const summedCount = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** A relay's batch, once a second (docs/adr/relay-protocol.md). */
export const relayReportSchema = z.strictObject({
  relayId: instanceIdSchema,
  instances: z
    .array(
      z.strictObject({
        environment: environmentSchema,
        instanceId: instanceIdSchema,
        sdk: sdkNameSchema.optional(),
        version: z.number().int().min(0).optional(),
        epoch: epochSchema.optional(),
      }),
    )
    .max(10_000)
    .default([]),
  evaluations: z
    .array(
      z.strictObject({
        environment: environmentSchema,
        source: sourceSchema,
        flag: flagKeySchema,
        variation: variationSchema,
        count: summedCount,
      }),
    )
    .max(10_000)
    .default([]),
  events: z
    .array(
      z.strictObject({
        environment: environmentSchema,
        source: sourceSchema,
        event: eventNameSchema,
        flag: flagKeySchema.optional(),
        variation: variationSchema.optional(),
        count: summedCount,
      }),
    )
    .max(10_000)
    .default([]),
  streams: z
    .array(z.strictObject({ environment: environmentSchema, instanceIds: z.array(instanceIdSchema).max(10_000) }))
    .max(50)
    .refine((streams) => new Set(streams.map((s) => s.environment)).size === streams.length, "must not list an environment twice"),
  contexts: z
    .array(z.strictObject({ environment: environmentSchema, context: contextSchema, count: z.number().int().min(1).max(1_000_000_000) }))
    .max(1_000)
    .default([]),
});

/**
 * What a relay reads from and reports to the server. Authorization (the relay token, and for
 * `{env}` one of its environments) comes from the route table; an environment deleted since the
 * token was made is a 404 here, so the token reads nothing of it.
 */
export function relayRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();

  const environmentOf = (c: Context<AppEnv>): EnvironmentView => {
    const key = c.req.param("env") ?? "";
    const view = deps.live.environment(key);
    if (!view) throw new AppError("NOT_FOUND", `Environment '${key}' does not exist`);
    return view;
  };

  // The same answer as `GET /api/sdk/flags`, for any of the relay's environments.
  app.get("/environments/:env/flags", compressJson({ cacheByEtag: true }), (c) => sdkPayload(c, environmentOf(c)));

  // The environment's SDK stream, and `event: tokens` when a token is made or deleted (the relay
  // then asks for its token list at once). The relay itself is not an SDK instance.
  app.get("/environments/:env/stream", (c) => {
    const view = environmentOf(c);
    const lastEventId = parseEventId(c.req.header("last-event-id") ?? c.req.query("lastEventId"), view.epoch);
    const tokenId = c.get("token").id;
    return serveAdmittedSse(c, deps.admitStream(c), (sink) =>
      deps.hub.connectSdk({ environmentKey: view.key, tokenId, instanceId: undefined, lastEventId, sink, tokenNotices: true }),
    );
  });

  // Polled every second: a 304 unless a token of the relay's environments was made or deleted.
  app.get("/tokens", compressJson({ cacheByEtag: true }), (c) => {
    const { body, etag } = relayTokenList(c.get("token"), deps.live.tokensByHash());
    c.header("ETag", etag);
    c.header("Cache-Control", "no-cache");
    if (etagMatches(c.req.header("if-none-match"), etag)) return c.body(null, 304);
    c.header("Content-Type", "application/json");
    return c.body(body);
  });

  app.post("/reports", async (c) => {
    const relay = c.get("token");
    const input = await readJson(c, relayReportSchema, "relay report");
    const receipt = unwrap(await recordRelayReport(deps, relay, input));
    // `reportAfterMs` per environment a deploy observes: the relay passes it on to its SDKs.
    const hints: Record<string, MetricsHint> = {};
    for (const key of relay.environmentKeys ?? []) hints[key] = await deps.observed.hint(key);
    return c.json({ ...receipt, hints }, 202);
  });

  return app;
}
