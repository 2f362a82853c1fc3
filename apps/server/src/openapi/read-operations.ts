import { clientEvaluateSchema } from "../routes/client";
import { ofrepRequestSchema } from "../routes/ofrep";
import { sdkMetricsSchema } from "../routes/sdk";
import type { Operation } from "./operations";

/**
 * The part of the route table that SDKs, browsers and OpenFeature providers call — all served
 * from memory, by the server and by a relay alike (apps/relay authorizes with this list). It
 * imports no database code, so the relay's bundle carries none.
 */
const ok = { 200: "OK" };

export const readOperations: readonly Operation[] = [
  {
    method: "get",
    path: "/api/sdk/flags",
    tag: "Server SDK",
    summary: "Every flag config and segment of the token's environment (ETag, 304)",
    tokens: ["server"],
    scope: "token",
    responses: { 200: "OK", 304: "Not modified" },
  },
  {
    method: "get",
    path: "/api/sdk/stream",
    tag: "Server SDK",
    summary: "SSE: put, then patch/delete per change; Last-Event-ID resumes",
    tokens: ["server"],
    scope: "token",
    responses: ok,
    stream: true,
  },
  {
    method: "post",
    path: "/api/sdk/metrics",
    tag: "Server SDK",
    summary: "Evaluation counts, track() events and the version served",
    tokens: ["server"],
    scope: "token",
    body: sdkMetricsSchema,
    responses: { 202: "Accepted" },
  },

  {
    method: "post",
    path: "/api/client/evaluate",
    tag: "Client SDK",
    summary: "Evaluated values for one context",
    tokens: ["client"],
    scope: "token",
    anyOrigin: true,
    body: clientEvaluateSchema,
    responses: ok,
  },
  {
    method: "get",
    path: "/api/client/stream",
    tag: "Client SDK",
    summary: "SSE: the context's values, then only values that change (?context=base64url JSON&token=)",
    tokens: ["client"],
    scope: "token",
    anyOrigin: true,
    queryToken: true,
    responses: ok,
    stream: true,
  },
  {
    method: "post",
    path: "/api/client/metrics",
    tag: "Client SDK",
    summary: "Evaluation counts and track() events from browsers (each entry capped at 100; deploys count them only when asked)",
    tokens: ["client"],
    scope: "token",
    anyOrigin: true,
    body: sdkMetricsSchema,
    responses: { 202: "Accepted", 429: "Too many reports from this token or instance (Retry-After)" },
  },

  {
    method: "post",
    path: "/ofrep/v1/evaluate/flags/{key}",
    tag: "OpenFeature (OFREP)",
    summary: "Evaluate one flag",
    tokens: ["server", "client"],
    scope: "token",
    anyOrigin: true,
    body: ofrepRequestSchema,
    responses: { 200: "OK" },
  },
  {
    method: "post",
    path: "/ofrep/v1/evaluate/flags",
    tag: "OpenFeature (OFREP)",
    summary: "Evaluate every flag (ETag, 304); for client tokens, eventStreams advertises /ofrep/v1/events",
    tokens: ["server", "client"],
    scope: "token",
    anyOrigin: true,
    body: ofrepRequestSchema,
    responses: { 200: "OK", 304: "Not modified" },
  },
  {
    method: "get",
    path: "/ofrep/v1/events",
    tag: "OpenFeature (OFREP)",
    summary: 'SSE for the OFREP web provider: {"type":"refetchEvaluation"} on connect and after each change (?token=)',
    tokens: ["client"],
    scope: "token",
    queryToken: true,
    anyOrigin: true,
    responses: ok,
    stream: true,
  },
];
