import { createHash } from "node:crypto";
import type { EvaluationContext, EvaluationResult, FlagMetadata, Reason, VariationValue } from "@switchyard/core";
import type { EnvironmentView } from "../live/environment-view";

/**
 * The OpenFeature Remote Evaluation Protocol's view of an evaluation
 * (https://github.com/open-feature/protocol, `service/openapi.yaml`). Shapes are OFREP's, not
 * Switchyard's `{ error: {...} }` envelope: the OFREP clients parse these bodies and fall back to
 * GENERAL for anything else.
 */
export const OfrepErrorCodes = {
  FLAG_NOT_FOUND: "FLAG_NOT_FOUND",
  TARGETING_KEY_MISSING: "TARGETING_KEY_MISSING",
  PARSE_ERROR: "PARSE_ERROR",
  INVALID_CONTEXT: "INVALID_CONTEXT",
  GENERAL: "GENERAL",
} as const;
export type OfrepErrorCode = (typeof OfrepErrorCodes)[keyof typeof OfrepErrorCodes];

/**
 * What the token may see. A client token sees values only (no rule ids, no prerequisite keys, no
 * error text naming attributes, rollouts or prerequisites), exactly as on `/api/client/evaluate`;
 * a server token already sees whole configs.
 */
export type OfrepAudience = "client" | "server";

export interface OfrepSuccess {
  key: string;
  value: VariationValue;
  reason: Reason;
  /** The variation's name. */
  variant: string;
  /** OpenFeature's flag metadata: the flag's own, plus ruleId / prerequisiteKey for server tokens. */
  metadata: FlagMetadata;
}

export interface OfrepFailure {
  key: string;
  errorCode: OfrepErrorCode;
  errorDetails: string;
}

export type OfrepSingleResult = { status: 200; body: OfrepSuccess } | { status: 400 | 404; body: OfrepFailure };

/** Core error codes OFREP has no place for (TYPE_MISMATCH is the client's to decide) become GENERAL. */
function ofrepErrorCode(result: EvaluationResult): OfrepErrorCode {
  switch (result.errorCode) {
    case "FLAG_NOT_FOUND":
    case "TARGETING_KEY_MISSING":
    case "PARSE_ERROR":
      return result.errorCode;
    default:
      return OfrepErrorCodes.GENERAL;
  }
}

/** The flag's metadata is descriptive and goes to every token; how it was decided only to server tokens. */
function metadataOf(result: EvaluationResult, audience: OfrepAudience): FlagMetadata {
  const metadata: FlagMetadata = { ...result.flagMetadata };
  if (audience === "client") return metadata;
  if (result.ruleId !== undefined) metadata.ruleId = result.ruleId;
  if (result.prerequisiteKey !== undefined) metadata.prerequisiteKey = result.prerequisiteKey;
  return metadata;
}

/**
 * The core's error text says how the flag is built ("the rollout buckets by \"plan\"", a
 * prerequisite chain): a server token may read it, a client token (public, in every web page)
 * gets only what the error code already says.
 */
function errorDetails(key: string, code: OfrepErrorCode, result: EvaluationResult, audience: OfrepAudience): string {
  if (audience === "server" && result.errorMessage !== undefined) return result.errorMessage;
  if (code === OfrepErrorCodes.TARGETING_KEY_MISSING) return `Flag '${key}' needs a targeting key or attribute this context lacks`;
  return `Flag '${key}' could not be evaluated`;
}

/** `key` first, then the rest: the order the bulk fragments are written in too. */
function toOfrep(key: string, result: EvaluationResult, audience: OfrepAudience): OfrepSuccess | OfrepFailure {
  if (result.value === null || result.variation === null || result.reason === "ERROR") {
    const errorCode = ofrepErrorCode(result);
    return { key, errorCode, errorDetails: errorDetails(key, errorCode, result, audience) };
  }
  return {
    key,
    value: result.value,
    reason: result.reason,
    variant: result.variant ?? String(result.variation),
    metadata: metadataOf(result, audience),
  };
}

export function evaluateOfrepFlag(
  view: EnvironmentView,
  key: string,
  context: EvaluationContext,
  audience: OfrepAudience,
): OfrepSingleResult {
  if (!view.engine.has(key)) {
    return {
      status: 404,
      body: { key, errorCode: OfrepErrorCodes.FLAG_NOT_FOUND, errorDetails: `Flag '${key}' does not exist in '${view.key}'` },
    };
  }
  const body = toOfrep(key, view.engine.evaluate(key, context), audience);
  return "errorCode" in body ? { status: body.errorCode === OfrepErrorCodes.FLAG_NOT_FOUND ? 404 : 400, body } : { status: 200, body };
}

// The engine hands out one frozen result object per static outcome of a flag, so each outcome's
// JSON (everything after `key`) is built once per audience and reused by every request that gets it.
const fragments: Record<OfrepAudience, WeakMap<EvaluationResult, string>> = { client: new WeakMap(), server: new WeakMap() };

function fragment(key: string, result: EvaluationResult, audience: OfrepAudience): string {
  const cache = fragments[audience];
  let text = cache.get(result);
  if (text === undefined) {
    // `{"key":…,` is dropped: the key is written per request, so a shared result can never carry another flag's key.
    const { key: _key, ...rest } = toOfrep(key, result, audience);
    text = JSON.stringify(rest).slice(1);
    if (Object.isFrozen(result)) cache.set(result, text);
  }
  return `{"key":${JSON.stringify(key)},${text}`;
}

export interface OfrepBulk {
  /** `{"flags":[…]}` (and `eventStreams`), flags ordered by key so every replica writes the same bytes. */
  body: string;
  /** A strong entity tag: a hash of `body`, so it changes exactly when a value served to this context changes. */
  etag: string;
}

/**
 * Every flag of the environment for one context. Per-flag failures are entries, never a failed
 * request. `eventStreams` (JSON) is added as is: OFREP's change-notification advertisement.
 */
export function evaluateOfrepBulk(
  view: EnvironmentView,
  context: EvaluationContext,
  audience: OfrepAudience,
  eventStreams?: string,
): OfrepBulk {
  let body = '{"flags":[';
  let first = true;
  // view.flags is sorted by key and holds exactly the flags the engine was built from.
  for (const flag of view.flags) {
    body += `${first ? "" : ","}${fragment(flag.key, view.engine.evaluate(flag.key, context), audience)}`;
    first = false;
  }
  body += eventStreams === undefined ? "]}" : `],"eventStreams":${eventStreams}}`;
  return { body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"` };
}
