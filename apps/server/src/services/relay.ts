import { createHash } from "node:crypto";
import type { EvaluationContext } from "@switchyard/core";
import { normalizeContext } from "@switchyard/core/schema";
import type { TokenKind } from "../auth/token-secrets";
import { fail, ok, type Result } from "../errors";
import type { AuthToken } from "../live/live-state";
import type { ReadSide } from "../live/read-side";
import type { Db } from "../store/database";
import { isPostgresError, PostgresErrors } from "../store/postgres-errors";
import { CountSources, type CountSource } from "../store/schema";
import { closeRelayStreams, type InstanceReport, markStreams, recordInstanceReports } from "../store/sdk-usage";
import { addCounts, type CountGroup, servedVersion, withinEventNameCap } from "./sdk-usage";
import { keptCounts, type EvaluationCount, type EventCount } from "./report-counts";
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
  /** The last report of each server SDK instance behind the relay since its previous batch. */
  instances: Array<{
    environment: string;
    instanceId: string;
    sdk?: string | undefined;
    version?: number | undefined;
    epoch?: string | undefined;
  }>;
  /** What the reports behind the relay counted since its previous batch, summed per key. */
  evaluations: Array<{ environment: string; source: CountSource } & EvaluationCount>;
  events: Array<{ environment: string; source: CountSource } & EventCount>;
  /** Per environment listed, every server-SDK instance holding a stream at the relay now. */
  streams: Array<{ environment: string; instanceIds: string[] }>;
  contexts: Array<{ environment: string; context: EvaluationContext; count: number }>;
}

export interface RelayReceipt {
  /** How many entries of each list were recorded (the batch is refused whole, or written whole). */
  accepted: { instances: number; evaluations: number; events: number; streams: number; contexts: number };
  /** Counts for flags the environment does not have, or event names past its cap, are dropped. */
  ignored: { evaluations: number; events: number };
}

/** Refuses the whole batch, before writing any of it, if it names an environment the relay may not report for. */
function environmentProblem(relay: AuthToken, live: Pick<ReadSide, "environment">, input: RelayReport): Result<never> | undefined {
  const named = [
    ...input.instances.map((r, i) => [`instances[${i}].environment`, r.environment] as const),
    ...input.evaluations.map((r, i) => [`evaluations[${i}].environment`, r.environment] as const),
    ...input.events.map((r, i) => [`events[${i}].environment`, r.environment] as const),
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
 * Records a relay's batch in one transaction, so a batch the relay sends again after a failure is
 * counted once: each instance as a direct report records it (with the relay's id on it), the
 * summed counts under their environment and source, and stream presence — listed instances seen
 * now, this relay's other open streams in a listed environment closed; then the contexts join the
 * preview sample. Counts are kept by the rules of a direct report (`keptCounts`) except the
 * browser cap, which the relay applied to each report it summed.
 */
export async function recordRelayReport(
  deps: { db: Db; live: ReadSide; seenContexts: SeenContextRecorder },
  relay: AuthToken,
  input: RelayReport,
  at = new Date(),
): Promise<Result<RelayReceipt>> {
  const refused = environmentProblem(relay, deps.live, input);
  if (refused) return refused;
  const instances = new Map<string, InstanceReport>();
  // One row per instance: a relay sends one, and one INSERT cannot upsert a row twice.
  for (const r of input.instances)
    instances.set(`${r.environment}\u0001${r.instanceId}`, {
      environmentKey: r.environment,
      instanceId: r.instanceId,
      sdk: r.sdk ?? null,
      version: servedVersion(deps.live, r),
      at,
      relayId: input.relayId,
    });
  const groups: CountGroup[] = [];
  const ignored = { evaluations: 0, events: 0 };
  for (const environmentKey of new Set([...input.evaluations, ...input.events].map((c) => c.environment)))
    for (const source of [CountSources.server, CountSources.browser]) {
      const ofGroup = <T extends { environment: string; source: CountSource }>(rows: T[]) =>
        rows.filter((r) => r.environment === environmentKey && r.source === source);
      // Not capped again: the relay cut each browser report it summed (`capsEachEntry`).
      const kept = keptCounts(
        deps.live.environment(environmentKey),
        { evaluations: ofGroup(input.evaluations), events: ofGroup(input.events) },
        false,
      );
      const named = await withinEventNameCap(deps.db, environmentKey, kept.events);
      ignored.evaluations += kept.ignored.evaluations;
      ignored.events += kept.ignored.events + named.dropped;
      groups.push({ environmentKey, source, evaluations: kept.evaluations, events: named.kept });
    }
  const written = await deps.db
    .transaction(async (tx) => {
      await recordInstanceReports(tx, [...instances.values()]);
      await addCounts(tx, groups, at);
      for (const { environment, instanceIds } of input.streams) {
        await markStreams(tx, environment, instanceIds, at, input.relayId);
        await closeRelayStreams(tx, environment, input.relayId, instanceIds);
      }
    })
    .then(
      () => true,
      (error: unknown) => {
        // An environment was deleted after the batch was checked: nothing of it is written.
        if (isPostgresError(error, PostgresErrors.foreignKeyViolation)) return false;
        throw error;
      },
    );
  if (!written) return fail("NOT_FOUND", "An environment the batch names was deleted; send it again without that environment");
  for (const { environment, context, count } of input.contexts) {
    const view = deps.live.environment(environment);
    if (view) deps.seenContexts.offer(view, normalizeContext(context), count);
  }
  return ok({
    accepted: {
      instances: input.instances.length,
      evaluations: input.evaluations.length - ignored.evaluations,
      events: input.events.length - ignored.events,
      streams: input.streams.length,
      contexts: input.contexts.length,
    },
    ignored,
  });
}
