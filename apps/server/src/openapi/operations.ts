import type { z } from "zod";
import type { TokenKind } from "../auth/token-secrets";
import { auditQuerySchema } from "../routes/audit";
import { codeRefDeleteQuerySchema, codeRefListQuerySchema, codeRefUploadSchema } from "../routes/code-refs";
import { deployCreateSchema, deployListQuerySchema, signalsSchema } from "../routes/deploys";
import { environmentCreateSchema, environmentPatchSchema } from "../routes/environments";
import { dryRunQuerySchema, flagConfigPatchSchema, flagConfigPutSchema, restoreSchema, versionsQuerySchema } from "../routes/flag-configs";
import { previewRequestSchema } from "../routes/flag-preview";
import { flagCreateSchema, flagListQuerySchema, flagPatchSchema } from "../routes/flags";
import { rehearsalCreateSchema, rehearsalListQuerySchema } from "../routes/rehearsals";
import { relayReportSchema } from "../routes/relay";
import { staleReportQuerySchema } from "../routes/reports";
import { segmentCreateSchema } from "../routes/segments";
import { tokenCreateSchema } from "../routes/tokens";
import { readOperations } from "./read-operations";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** One route as the OpenAPI document describes it; request schemas are the ones the route validates with. */
export interface Operation {
  method: HttpMethod;
  /** OpenAPI style: `/api/flags/{key}`. */
  path: string;
  tag: string;
  summary: string;
  /** Token kinds allowed; empty for unauthenticated routes. Enforced by http/authorize.ts from this table. */
  tokens: readonly TokenKind[];
  /**
   * Which environment a non-admin token acts in, when the route is not admin-only:
   * - `path`: the `{env}` of the path, which must be the token's own, or one of a relay token's
   *   (enforced with `tokens`);
   * - `token`: the token's own environment, the only one the route can reach (SDK, client, OFREP);
   * - `input`: the `environment` the body or query names, refused unless the token's (the
   *   handler checks; absent in a query, the token's own);
   * - `resource`: the environment of the resource named (a deploy), not found unless the token's.
   */
  scope?: "path" | "token" | "input" | "resource";
  /** Also takes the token as `?token=` (browser EventSource cannot set headers). */
  queryToken?: boolean;
  /** Called by web pages on any origin (CORS): refusals carry `Access-Control-Allow-Origin` too. */
  anyOrigin?: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Status → description of the success answers (errors are common to every route). */
  responses: Record<number, string>;
  /** Server-Sent Events instead of JSON. */
  stream?: boolean;
}

const admin = ["admin"] as const;
const ok = { 200: "OK" };
const guardedWrite = {
  200: "OK (with ?dryRun=true: { dryRun, config, preview })",
  428: 'The change flips more than the environment\'s confirmFlipShare of seen evaluations; details: the preview. Send "confirm": true',
};

export const operations: readonly Operation[] = [
  { method: "get", path: "/healthz", tag: "Operations", summary: "Liveness", tokens: [], responses: ok },
  {
    method: "get",
    path: "/readyz",
    tag: "Operations",
    summary: "Readiness: database reachable, not shutting down",
    tokens: [],
    responses: { 200: "Ready", 503: "Not ready" },
  },
  { method: "get", path: "/metrics", tag: "Operations", summary: "Prometheus gauges (text exposition)", tokens: [], responses: ok },
  { method: "get", path: "/openapi.json", tag: "Operations", summary: "This document", tokens: [], responses: ok },
  { method: "get", path: "/docs", tag: "Operations", summary: "This document, browsable", tokens: [], responses: ok },

  { method: "get", path: "/api/environments", tag: "Environments", summary: "List environments", tokens: admin, responses: ok },
  {
    method: "post",
    path: "/api/environments",
    tag: "Environments",
    summary: "Create an environment (every flag gets a config, off)",
    tokens: admin,
    body: environmentCreateSchema,
    responses: { 201: "Created" },
  },
  { method: "get", path: "/api/environments/{env}", tag: "Environments", summary: "Read an environment", tokens: admin, responses: ok },
  {
    method: "patch",
    path: "/api/environments/{env}",
    tag: "Environments",
    summary: "Rename an environment",
    tokens: admin,
    body: environmentPatchSchema,
    responses: ok,
  },
  {
    method: "delete",
    path: "/api/environments/{env}",
    tag: "Environments",
    summary: "Delete an environment with its configs and tokens",
    tokens: admin,
    responses: ok,
  },
  {
    method: "get",
    path: "/api/environments/{env}/instances",
    tag: "Environments",
    summary: "SDK instances: acknowledged config version, stream open",
    tokens: admin,
    responses: ok,
  },

  {
    method: "get",
    path: "/api/flags",
    tag: "Flags",
    summary: "List flags with a summary per environment",
    tokens: admin,
    query: flagListQuerySchema,
    responses: ok,
  },
  {
    method: "post",
    path: "/api/flags",
    tag: "Flags",
    summary:
      "Create a flag (off in every environment). variations: objects {id?, name?, value, description?} or plain values (named on/off, the value, or vN); metadata: up to 32 string/number/boolean entries",
    tokens: admin,
    body: flagCreateSchema,
    responses: { 201: "Created" },
  },
  {
    method: "get",
    path: "/api/flags/{key}",
    tag: "Flags",
    summary: "Read a flag, with its newest rollback rehearsal per environment (lastRehearsals)",
    tokens: admin,
    responses: ok,
  },
  {
    method: "patch",
    path: "/api/flags/{key}",
    tag: "Flags",
    summary:
      "Change a flag's fields, archive or unarchive it. variations: objects matched by id (no id: a new variation) or plain values matched by value; the list's order is the new order, and a variation left out that a config, rule, rollout or prerequisite serves is a 409 naming each use",
    tokens: admin,
    body: flagPatchSchema,
    responses: { ...ok, 409: "A variation left out is still served (details.uses: variation, environment, flag, where)" },
  },
  { method: "delete", path: "/api/flags/{key}", tag: "Flags", summary: "Archive a flag", tokens: admin, responses: ok },

  {
    method: "get",
    path: "/api/flags/{key}/environments/{env}",
    tag: "Flag configs",
    summary: "Read a flag config (ETag: its version)",
    tokens: admin,
    responses: ok,
  },
  {
    method: "put",
    path: "/api/flags/{key}/environments/{env}",
    tag: "Flag configs",
    summary:
      "Replace a flag config; variations by id (stored and shown), name, or index in the flag's current order (If-Match: version → 409 when stale; ?dryRun=true: the validated config and its preview, nothing written)",
    tokens: admin,
    body: flagConfigPutSchema,
    query: dryRunQuerySchema,
    responses: guardedWrite,
  },
  {
    method: "patch",
    path: "/api/flags/{key}/environments/{env}",
    tag: "Flag configs",
    summary:
      'Change the fields sent (If-Match: version → 409 when stale); a deploy token may only send {"enabled": false} in its environment',
    tokens: ["admin", "deploy"],
    scope: "path",
    body: flagConfigPatchSchema,
    query: dryRunQuerySchema,
    responses: guardedWrite,
  },
  {
    method: "get",
    path: "/api/flags/{key}/environments/{env}/versions",
    tag: "Flag configs",
    summary: "Every version of a flag config, newest first",
    tokens: admin,
    query: versionsQuerySchema,
    responses: ok,
  },
  {
    method: "post",
    path: "/api/flags/{key}/environments/{env}/versions/{n}/restore",
    tag: "Flag configs",
    summary: "Make a new version equal to version n (?dryRun=true: the validated config and its preview, nothing written)",
    tokens: admin,
    body: restoreSchema,
    query: dryRunQuerySchema,
    responses: guardedWrite,
  },
  {
    method: "post",
    path: "/api/flags/{key}/environments/{env}/preview",
    tag: "Flag configs",
    summary:
      "Whom a change would flip, over the seen contexts and the request's: a config as PUT takes it, { restoreVersion: n }, or { archive: true }",
    tokens: admin,
    body: previewRequestSchema,
    responses: ok,
  },

  { method: "get", path: "/api/segments", tag: "Segments", summary: "List segments", tokens: admin, responses: ok },
  {
    method: "post",
    path: "/api/segments",
    tag: "Segments",
    summary: "Create a segment",
    tokens: admin,
    body: segmentCreateSchema,
    responses: { 201: "Created" },
  },
  { method: "get", path: "/api/segments/{key}", tag: "Segments", summary: "Read a segment", tokens: admin, responses: ok },
  {
    method: "put",
    path: "/api/segments/{key}",
    tag: "Segments",
    summary: "Replace a segment (If-Match: version; the key comes from the path)",
    tokens: admin,
    body: segmentCreateSchema,
    responses: ok,
  },
  {
    method: "delete",
    path: "/api/segments/{key}",
    tag: "Segments",
    summary: "Delete a segment no flag uses",
    tokens: admin,
    responses: ok,
  },

  { method: "get", path: "/api/tokens", tag: "Tokens", summary: "List tokens (never their secrets)", tokens: admin, responses: ok },
  {
    method: "post",
    path: "/api/tokens",
    tag: "Tokens",
    summary: "Create a token; the answer is the only place its secret appears",
    tokens: admin,
    body: tokenCreateSchema,
    responses: { 201: "Created" },
  },
  {
    method: "delete",
    path: "/api/tokens/{id}",
    tag: "Tokens",
    summary: "Delete a token (its streams close at once)",
    tokens: admin,
    responses: ok,
  },

  {
    method: "get",
    path: "/api/audit",
    tag: "Audit",
    summary: "Every change, newest first, paged by cursor; ETag, 304 on If-None-Match (the console polls ?limit=1)",
    tokens: admin,
    query: auditQuerySchema,
    responses: { 200: "OK", 304: "Nothing changed since the ETag sent as If-None-Match" },
  },
  {
    method: "get",
    path: "/api/reports/stale",
    tag: "Reports",
    summary: "Stale flags with evidence and a suggested action (JSON or Markdown)",
    tokens: ["admin", "ci"],
    query: staleReportQuerySchema,
    responses: ok,
  },
  {
    method: "post",
    path: "/api/code-refs",
    tag: "Reports",
    summary: "Replace the code references of a repository and branch",
    tokens: ["admin", "ci"],
    body: codeRefUploadSchema,
    responses: ok,
  },
  {
    method: "get",
    path: "/api/code-refs",
    tag: "Reports",
    summary: "Read code references",
    tokens: admin,
    query: codeRefListQuerySchema,
    responses: ok,
  },
  {
    method: "delete",
    path: "/api/code-refs",
    tag: "Reports",
    summary: "Remove a repository and branch's code references",
    tokens: admin,
    query: codeRefDeleteQuerySchema,
    responses: ok,
  },

  {
    method: "post",
    path: "/api/deploys",
    tag: "Deploys",
    summary: "Register a guarded deploy",
    tokens: ["admin", "deploy"],
    scope: "input",
    body: deployCreateSchema,
    responses: {
      201: "Created: observing, with a snapshot of the environment's flag configs",
      503: "A check names a query and Prometheus (PROMETHEUS_URL) did not answer; nothing was registered",
    },
  },
  {
    method: "get",
    path: "/api/deploys",
    tag: "Deploys",
    summary: "List deploys",
    tokens: ["admin", "deploy"],
    scope: "input",
    query: deployListQuerySchema,
    responses: ok,
  },
  {
    method: "get",
    path: "/api/deploys/{id}",
    tag: "Deploys",
    summary:
      "Status, decision, evidence, propagation and each SDK instance's acknowledgement (the flag-config snapshot for admin tokens only)",
    tokens: ["admin", "deploy"],
    scope: "resource",
    responses: ok,
  },
  {
    method: "post",
    path: "/api/deploys/{id}/signals",
    tag: "Deploys",
    summary: "Push health samples",
    tokens: ["admin", "deploy"],
    scope: "resource",
    body: signalsSchema,
    responses: { 202: "Accepted" },
  },
  {
    method: "post",
    path: "/api/deploys/{id}/restore-flags",
    tag: "Deploys",
    summary: "Put every flag config back to the deploy's snapshot (admin only: a deploy token turns flags off, never on)",
    tokens: admin,
    responses: ok,
  },

  {
    method: "post",
    path: "/api/rehearsals",
    tag: "Rehearsals",
    summary:
      "Rehearse a flag's rollback: a rehearsal deploy turns it off through the decision engine, every connected SDK instance's acknowledgement is timed, then the flag is restored and timed again; answers when done",
    tokens: admin,
    body: rehearsalCreateSchema,
    responses: {
      201: "The rehearsal: status passed (all acknowledged within targetMs), failed (late instances named) or error; detection and per-write timings",
      409: "A production environment without allowProduction, or a rehearsal of the flag there still running",
    },
  },
  {
    method: "get",
    path: "/api/rehearsals",
    tag: "Rehearsals",
    summary: "List rehearsals, newest first (by flag, environment, status)",
    tokens: admin,
    query: rehearsalListQuerySchema,
    responses: ok,
  },
  {
    method: "get",
    path: "/api/rehearsals/{id}",
    tag: "Rehearsals",
    summary: "One rehearsal: running, or its result",
    tokens: admin,
    responses: ok,
  },
  ...readOperations,

  {
    method: "get",
    path: "/api/relay/environments/{env}/flags",
    tag: "Relay",
    summary: "The environment's flags as GET /api/sdk/flags answers them (ETag, 304)",
    tokens: ["relay"],
    scope: "path",
    responses: { 200: "OK", 304: "Not modified" },
  },
  {
    method: "get",
    path: "/api/relay/environments/{env}/stream",
    tag: "Relay",
    summary: "SSE: the environment's SDK stream, as GET /api/sdk/stream; Last-Event-ID resumes",
    tokens: ["relay"],
    scope: "path",
    responses: ok,
    stream: true,
  },
  {
    method: "get",
    path: "/api/relay/tokens",
    tag: "Relay",
    summary: "SHA-256 hashes (never secrets) of the server and client tokens of the relay's environments (ETag, 304)",
    tokens: ["relay"],
    scope: "token",
    responses: { 200: "OK", 304: "Not modified" },
  },
  {
    method: "post",
    path: "/api/relay/reports",
    tag: "Relay",
    summary: "The latest report of each SDK instance behind the relay, their summed counts, stream presence and contexts",
    tokens: ["relay"],
    scope: "token",
    body: relayReportSchema,
    responses: { 202: "Accepted" },
  },
];
