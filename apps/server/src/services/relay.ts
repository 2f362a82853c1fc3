import { createHash } from "node:crypto";
import type { EvaluationContext } from "@switchyard/core";
import { normalizeContext } from "@switchyard/core/schema";
import type { TokenKind } from "../auth/token-secrets";
import { fail, ok, type Result } from "../errors";
import type { AuthToken } from "../live/live-state";
import type { ReadSide } from "../live/read-side";
import type { Db } from "../store/database";
import type { CountSource } from "../store/schema";
import { closeRelayStreams, markStreams } from "../store/sdk-usage";
import { type MetricsReport, recordMetrics } from "./sdk-usage";
import type { SeenContextRecorder } from "./seen-context-recorder";

/**
 * What the server does for relays (docs/adr/relay-protocol.md): the token hashes a relay checks
 * its downstream SDKs against, and the batches of reports and stream presence it forwards, which
 * land where direct reports land so deploys and rehearsals count instances behind relays.
 */

export interface RelayTokenList {
  relay: { id: string; name: string; environments: string[] };
  /** The server and client tokens of the relay's environments: hashes only, never secrets. */
  tokens: Array<{ hash: string; id: string; name: string; kind: TokenKind; environment: string }>;
}

/** The token kinds a relay serves downstream. */
const SERVED_KINDS: ReadonlySet<TokenKind> = new Set<TokenKind>(["server", "client"]);

// Keyed by the token map, which is replaced on every reload: relays poll every second, and a body
// is built once per reload and relay token instead of on each poll.
const listed = new WeakMap<ReadonlyMap<string, AuthToken>, Map<string, { body: string; etag: string }>>();

/** The relay's token list as JSON, with a strong ETag of exactly these bytes. */
export function relayTokenList(relay: AuthToken, tokens: ReadonlyMap<string, AuthToken>): { body: string; etag: string } {
  let byRelay = listed.get(tokens);
  if (!byRelay) listed.set(tokens, (byRelay = new Map()));
  const cached = byRelay.get(relay.id);
  if (cached) return cached;
  const environments = relay.environmentKeys ?? [];
  const list: RelayTokenList = {
    relay: { id: relay.id, name: relay.name, environments: [...environments] },
    tokens: [...tokens]
      .flatMap(([hash, t]) =>
        SERVED_KINDS.has(t.kind) && t.environmentKey !== null && environments.includes(t.environmentKey)
          ? [{ hash, id: t.id, name: t.name, kind: t.kind, environment: t.environmentKey }]
          : [],
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
  const body = JSON.stringify(list);
  const answer = { body, etag: `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"` };
  byRelay.set(relay.id, answer);
  return answer;
}

export interface RelayReport {
  relayId: string;
  reports: Array<{
    environment: string;
    source: CountSource;
    report: MetricsReport & { contexts: Array<{ context: EvaluationContext; count: number }> };
  }>;
  /** Per environment listed, every server-SDK instance holding a stream at the relay now. */
  streams: Array<{ environment: string; instanceIds: string[] }>;
  contexts: Array<{ environment: string; context: EvaluationContext; count: number }>;
}

export interface RelayReceipt {
  /** How many entries of each list were recorded (all of them, or the batch is refused). */
  accepted: { reports: number; streams: number; contexts: number };
}

/** Refuses the whole batch, before writing any of it, if it names an environment the relay may not report for. */
function environmentProblem(relay: AuthToken, live: Pick<ReadSide, "environment">, input: RelayReport): Result<never> | undefined {
  const named = [
    ...input.reports.map((r, i) => [`reports[${i}].environment`, r.environment] as const),
    ...input.streams.map((s, i) => [`streams[${i}].environment`, s.environment] as const),
    ...input.contexts.map((c, i) => [`contexts[${i}].environment`, c.environment] as const),
  ];
  for (const [path, key] of named) {
    if (!(relay.environmentKeys ?? []).includes(key))
      return fail("FORBIDDEN", `'${relay.name}' is not a relay token of '${key}' (${path})`, [
        { path, message: `environment '${key}' is not one of the relay token's` },
      ]);
    if (!live.environment(key))
      return fail("NOT_FOUND", `Environment '${key}' does not exist (${path})`, [{ path, message: `environment '${key}' does not exist` }]);
  }
  return undefined;
}

/**
 * Records a relay's batch: each report as `recordMetrics` records a direct one (with the relay's
 * id on the instance), the contexts into the preview sample, and stream presence — listed
 * instances seen now, this relay's other open streams in a listed environment closed.
 */
export async function recordRelayReport(
  deps: { db: Db; live: ReadSide; seenContexts: SeenContextRecorder },
  relay: AuthToken,
  input: RelayReport,
  at = new Date(),
): Promise<Result<RelayReceipt>> {
  const refused = environmentProblem(relay, deps.live, input);
  if (refused) return refused;
  const offer = (environment: string, context: EvaluationContext, count: number) => {
    const view = deps.live.environment(environment);
    if (view) deps.seenContexts.offer(view, normalizeContext(context), count);
  };
  for (const { environment, source, report } of input.reports) {
    const recorded = await recordMetrics(deps, { environmentKey: environment, source, relayId: input.relayId }, report, at);
    if (!recorded.ok) return recorded;
    for (const { context, count } of report.contexts) offer(environment, context, count);
  }
  for (const { environment, context, count } of input.contexts) offer(environment, context, count);
  for (const { environment, instanceIds } of input.streams) {
    await markStreams(deps.db, environment, instanceIds, at, input.relayId);
    await closeRelayStreams(deps.db, environment, input.relayId, instanceIds);
  }
  return ok({ accepted: { reports: input.reports.length, streams: input.streams.length, contexts: input.contexts.length } });
}
