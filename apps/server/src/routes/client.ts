import { contextSchema, normalizeContext } from "@switchyard/core/schema";
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { z } from "zod";
import { AppError, unwrap, validationFailed } from "../errors";
import { compressJson } from "../http/compression";
import type { AppEnv } from "../http/app-env";
import { DEFAULT_CLIENT_RATE_LIMIT } from "../http/public-limits";
import { perTokenRateLimit, TokenBuckets, type RateLimit } from "../http/rate-limit";
import { jsonShapeProblem, parseValue, readJson } from "../http/validation";
import { serveAdmittedSse } from "../live/transport/hono-sse";
import { evaluateForClientJson } from "../services/client-evaluation";
import { tokenEnvironment, type ReadRouteDeps } from "./route-deps";
import { sdkMetricsSchema } from "./sdk";

export const clientEvaluateSchema = z.object({ context: contextSchema });

export interface ClientRouteOptions {
  /** Every `/api/client/*` request (evaluate, stream connects, metrics), per client token (per replica). */
  rateLimit?: RateLimit;
  /** Browser metrics reports, per client token and per browser instance (per replica). */
  metricsRateLimit?: { perToken: RateLimit; perInstance: RateLimit };
}

/**
 * Per instance about what a page reporting every few seconds needs. Together with
 * `BROWSER_COUNT_CAP` they bound what one browser instance can count.
 */
export const DEFAULT_CLIENT_METRICS_RATE_LIMIT = {
  perToken: { requestsPerSecond: 1_000, burst: 2_000 },
  perInstance: { requestsPerSecond: 0.2, burst: 3 },
} as const satisfies ClientRouteOptions["metricsRateLimit"];

function refuseAbove(buckets: TokenBuckets, key: string, what: string, c: Context<AppEnv>): void {
  const waitSeconds = buckets.take(key);
  if (waitSeconds === 0) return;
  c.header("Retry-After", String(waitSeconds));
  throw new AppError("RATE_LIMITED", `Too many metrics reports ${what}; retry after ${waitSeconds} s`);
}

export function clientRoutes(deps: ReadRouteDeps, options: ClientRouteOptions = {}) {
  const app = new Hono<AppEnv>();
  const limits = options.metricsRateLimit ?? DEFAULT_CLIENT_METRICS_RATE_LIMIT;
  const perToken = new TokenBuckets(limits.perToken);
  const perInstance = new TokenBuckets(limits.perInstance);
  const rateLimited = perTokenRateLimit(options.rateLimit ?? DEFAULT_CLIENT_RATE_LIMIT);
  // EventSource cannot send a body or headers: the context comes base64url-encoded in the query.
  // Registered before the CORS middleware, which would touch `c.res` and so defeat the Node stream
  // path (see live/transport/node-sse.ts); EventSource sends a simple GET, so no preflight is needed.
  app.get("/stream", rateLimited, (c) => {
    const encoded = c.req.query("context");
    if (encoded === undefined)
      throw validationFailed(
        [{ path: "context", message: "required: base64url-encoded JSON of the evaluation context" }],
        "stream request",
      );
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
    } catch {
      throw validationFailed([{ path: "context", message: "must be base64url-encoded JSON" }], "stream request");
    }
    const shape = jsonShapeProblem(decoded);
    if (shape) throw validationFailed([{ path: `context${shape.path ? `.${shape.path}` : ""}`, message: shape.message }], "stream request");
    const context = normalizeContext(parseValue(contextSchema, decoded, "context"));
    const view = tokenEnvironment(c, deps.live);
    deps.seenContexts.offer(view, context);
    const tokenId = c.get("token").id;
    // The CORS middleware's headers do not reach a response written straight to Node: repeat the one a browser needs.
    return serveAdmittedSse(
      c,
      deps.admitStream(c),
      (sink) => deps.hub.connectClient({ environmentKey: view.key, tokenId, context, sink }),
      {
        "access-control-allow-origin": "*",
      },
    );
  });

  // Client tokens are meant for web pages on any origin; they can only read evaluated values.
  app.use(
    "*",
    cors({
      origin: "*",
      allowHeaders: ["Authorization", "Content-Type", "If-None-Match"],
      exposeHeaders: ["ETag", "Retry-After"],
      maxAge: 86_400,
    }),
  );
  app.use("*", rateLimited);

  app.post("/evaluate", compressJson(), async (c) => {
    const { context } = await readJson(c, clientEvaluateSchema, "evaluation request");
    const view = tokenEnvironment(c, deps.live);
    const normalized = normalizeContext(context);
    deps.seenContexts.offer(view, normalized);
    c.header("Content-Type", "application/json");
    return c.body(evaluateForClientJson(view.engine, normalized));
  });

  // Browsers report evaluation counts and track() events like server SDKs (same payload), stored
  // as browser counts: anyone can send them, so deploys count them only when asked to.
  app.post("/metrics", async (c) => {
    const view = tokenEnvironment(c, deps.live);
    const tokenId = c.get("token").id;
    refuseAbove(perToken, tokenId, "for this token", c);
    const report = await readJson(c, sdkMetricsSchema, "metrics report");
    refuseAbove(perInstance, `${tokenId}|${report.instanceId}`, `from instance '${report.instanceId}'`, c);
    const receipt = unwrap(await deps.metrics.record(view, "browser", report));
    return c.json(receipt, 202);
  });

  return app;
}
