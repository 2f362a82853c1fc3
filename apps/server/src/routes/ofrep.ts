import { contextSchema, normalizeContext } from "@switchyard/core/schema";
import type { EvaluationContext } from "@switchyard/core";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { z } from "zod";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-size";
import { compressJson } from "../http/compression";
import { DEFAULT_CLIENT_RATE_LIMIT } from "../http/public-limits";
import { perTokenRateLimit, type RateLimit } from "../http/rate-limit";
import { jsonShapeProblem, zodIssues } from "../http/validation";
import type { EnvironmentView } from "../live/live-state";
import type { ReadSide } from "../live/read-side";
import {
  evaluateOfrepBulk,
  evaluateOfrepFlag,
  OfrepErrorCodes,
  type OfrepAudience,
  type OfrepErrorCode,
} from "../services/ofrep-evaluation";
import { etagMatches } from "../http/etag";
import { ofrepEventStreams } from "../live/events/ofrep-events";
import { catchUpTo, ofrepEventRoute } from "./ofrep-events";
import { tokenEnvironment, type ContextSample, type ReadRouteDeps } from "./route-deps";

export interface OfrepRouteOptions {
  rateLimit?: RateLimit;
}

// Whole seconds, never an HTTP date: the OFREP clients read Retry-After with parseInt. The body is
// OFREP's generalErrorResponse; clients act on the status and Retry-After alone.
const ofrepRateLimited = (c: Context<AppEnv>, waitSeconds: number) =>
  c.json({ errorDetails: `Rate limit exceeded for this token; retry after ${waitSeconds} s` }, 429);

export const ofrepRequestSchema = z.looseObject({ context: contextSchema.optional() });

type ParsedRequest = { ok: true; context: EvaluationContext } | { ok: false; errorCode: OfrepErrorCode; errorDetails: string };

/**
 * `{ "context": {...} }`, where the context and even the body may be absent (OFREP marks neither
 * required). A body that is not JSON, or not a JSON object, is PARSE_ERROR; a context that is not
 * an object, or whose `targetingKey` / `key` is not a string, is INVALID_CONTEXT.
 */
async function readOfrepRequest(c: Context<AppEnv>): Promise<ParsedRequest> {
  const text = await c.req.text();
  if (text.trim() === "") return { ok: true, context: {} };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      errorCode: OfrepErrorCodes.PARSE_ERROR,
      errorDetails: `The request body is not valid JSON: ${error instanceof Error ? error.message : "unparseable"}`,
    };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return {
      ok: false,
      errorCode: OfrepErrorCodes.PARSE_ERROR,
      errorDetails: 'The request body must be a JSON object such as {"context":{"targetingKey":"user-1"}}',
    };
  }
  // Deeply nested JSON, U+0000 and unpaired surrogates: refused as everywhere else (a sampled
  // context is stored, and PostgreSQL cannot store those).
  const shape = jsonShapeProblem(data);
  if (shape) {
    return {
      ok: false,
      errorCode: OfrepErrorCodes.INVALID_CONTEXT,
      errorDetails: `Invalid evaluation context: ${shape.path}: ${shape.message}`,
    };
  }
  const parsed = ofrepRequestSchema.safeParse(data);
  if (!parsed.success) {
    const problems = zodIssues(parsed.error).map((i) => `${i.path}: ${i.message}`);
    return { ok: false, errorCode: OfrepErrorCodes.INVALID_CONTEXT, errorDetails: `Invalid evaluation context: ${problems.join("; ")}` };
  }
  return { ok: true, context: normalizeContext(parsed.data.context ?? {}) };
}

function tokenView(c: Context<AppEnv>, live: ReadSide): { view: EnvironmentView; audience: OfrepAudience } {
  return { view: tokenEnvironment(c, live), audience: c.get("token").kind === "client" ? "client" : "server" };
}

/** The token the request authenticated with (http/authorize.ts has checked the header's shape). */
function bearerSecret(c: Context<AppEnv>): string {
  return /^Bearer\s+(\S+)/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
}

/**
 * OFREP (`/ofrep/v1`): single and bulk evaluation against the in-memory engine of the token's
 * environment. Auth failures (401/403) keep Switchyard's error envelope: the OFREP clients act
 * on those statuses without reading the body.
 */
export function ofrepRoutes(
  deps: { live: ReadSide; seenContexts?: ContextSample } & Partial<Pick<ReadRouteDeps, "hub" | "admitStream">>,
  options: OfrepRouteOptions = {},
) {
  const app = new Hono<AppEnv>();
  const rateLimited = perTokenRateLimit(options.rateLimit ?? DEFAULT_CLIENT_RATE_LIMIT, ofrepRateLimited);
  const { hub, admitStream } = deps;
  const streaming = hub !== undefined && admitStream !== undefined;
  if (streaming) ofrepEventRoute(app, { live: deps.live, hub, admitStream }, rateLimited);

  // Web providers run on any origin with a client token, like the browser SDK.
  app.use(
    "*",
    cors({
      origin: "*",
      allowMethods: ["POST"],
      allowHeaders: ["Content-Type", "Authorization", "If-None-Match"],
      exposeHeaders: ["ETag", "Retry-After"],
      maxAge: 86_400,
    }),
  );
  app.use("*", rateLimited);
  app.use("*", limitBody());

  app.post("/evaluate/flags", compressJson(), async (c) => {
    const request = await readOfrepRequest(c);
    // Only a malformed request fails as a whole (bulkEvaluationFailure has no key).
    if (!request.ok) return c.json({ errorCode: request.errorCode, errorDetails: request.errorDetails }, 400);
    await catchUpTo(deps.live, c.req.query("flagConfigEtag"));
    const { view, audience } = tokenView(c, deps.live);
    deps.seenContexts?.offer(view, request.context);
    const eventStreams = streaming && audience === "client" ? ofrepEventStreams(bearerSecret(c)) : undefined;
    const { body, etag } = evaluateOfrepBulk(view, request.context, audience, eventStreams);
    c.header("ETag", etag);
    if (etagMatches(c.req.header("if-none-match"), etag)) return c.body(null, 304);
    c.header("Content-Type", "application/json");
    return c.body(body);
  });

  app.post("/evaluate/flags/:key", async (c) => {
    const key = c.req.param("key");
    const request = await readOfrepRequest(c);
    if (!request.ok) return c.json({ key, errorCode: request.errorCode, errorDetails: request.errorDetails }, 400);
    const { view, audience } = tokenView(c, deps.live);
    deps.seenContexts?.offer(view, request.context);
    const result = evaluateOfrepFlag(view, key, request.context, audience);
    return c.json(result.body, result.status);
  });

  return app;
}
