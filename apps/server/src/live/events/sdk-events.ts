import type { Segment } from "@switchyard/core";
import type { Change } from "../../store/changes";
import type { EnvironmentView } from "../live-state";
import type { MetricsHint } from "../metrics-hint";

/** One SSE event, ready to write: `data` is serialized JSON. */
export interface StreamEvent {
  /** `message` is what EventSource dispatches for an event without a name (OFREP's refetch events). */
  event: "put" | "patch" | "delete" | "metrics" | "message" | "tokens";
  /** `<epoch>-<seq>` (see `eventId`); absent on `metrics`, which is no change an SDK could resume from. */
  id?: string;
  data: string;
}

// One object per distinct hint: node-sse.ts encodes an event once, whatever the fan-out.
const metricsEvents = new Map<string, StreamEvent>();

/** `event: metrics` — how often the server wants this environment's SDKs to report their counts. */
export function metricsEvent(hint: MetricsHint): StreamEvent {
  const data = JSON.stringify(hint);
  let event = metricsEvents.get(data);
  if (event === undefined) {
    event = { event: "metrics", data };
    metricsEvents.set(data, event);
  }
  return event;
}

/**
 * `event: tokens` — on a relay's upstream streams only: a token was made or deleted, so the relay
 * asks for its token list now rather than at its next poll (a deleted token is cut off at once).
 */
export const TOKENS_EVENT: StreamEvent = { event: "tokens", data: "{}" };

/**
 * An SDK event's id names the change seq and the database history it counts in, so a
 * `Last-Event-ID` from before a restore (or from another database) never resumes into a
 * different history: `parseEventId` gives back the seq only for this epoch.
 */
export function eventId(epoch: string, seq: number): string {
  return `${epoch}-${seq}`;
}

/** A database epoch as sent: twelve hex digits (store/database-epoch.ts derives it). */
export const EPOCH_PATTERN = /^[0-9a-f]{12}$/;

/** The epoch and seq an event id names, `undefined` for anything else. */
export function readEventId(value: string | undefined): { epoch: string; seq: number } | undefined {
  const match = value === undefined ? null : /^([0-9a-f]{12})-(\d{1,15})$/.exec(value.trim());
  return match?.[1] === undefined || match[2] === undefined ? undefined : { epoch: match[1], seq: Number(match[2]) };
}

/** The seq to resume after, or `undefined` (start over with a put) for any id this history did not hand out. */
export function parseEventId(value: string | undefined, epoch: string): number | undefined {
  const read = readEventId(value);
  return read?.epoch === epoch ? read.seq : undefined;
}

export function putEvent(view: EnvironmentView): StreamEvent {
  return { event: "put", id: eventId(view.epoch, view.version), data: view.sdkBody };
}

/** Whether a change row concerns what SDKs of `environmentKey` hold. */
export function concerns(change: Change, environmentKey: string): boolean {
  if (change.entity === "segment" || change.entity === "flag") return true;
  return change.entity === "flag-config" && change.environmentKey === environmentKey;
}

/**
 * The patch/delete events that bring an SDK from before `changes` to `view`: one per changed
 * flag or segment, carrying its current definition (or its deletion), with the seq of its last
 * change as id, in seq order. Several changes to one key collapse into one event.
 *
 * An SDK holds only the segments its environment's flags use: a change to another segment sends
 * nothing, and a flag that starts using a segment the SDK lacks (not in `previouslyUsed`; unknown
 * on a resume, so every segment the flag uses) is preceded by that segment's definition.
 */
export function sdkEvents(view: EnvironmentView, changes: readonly Change[], previouslyUsed?: ReadonlySet<string>): StreamEvent[] {
  const last = new Map<string, Change>();
  for (const change of changes) {
    if (!concerns(change, view.key)) continue;
    const kind = change.entity === "segment" ? "segment" : "flag";
    const id = `${kind}:${change.key}`;
    last.delete(id); // re-insert so Map order follows the latest seq
    last.set(id, change);
  }
  const events: StreamEvent[] = [];
  const sent = new Set<string>();
  const segmentPatch = (segment: Segment, version: number): StreamEvent => {
    sent.add(segment.key);
    return { event: "patch", id: eventId(view.epoch, version), data: JSON.stringify({ version, segment }) };
  };
  for (const change of last.values()) {
    const version = change.seq;
    if (change.entity === "segment") {
      const segment = view.segmentsByKey.get(change.key);
      if (segment === undefined)
        events.push({ event: "delete", id: eventId(view.epoch, version), data: JSON.stringify({ version, segment: change.key }) });
      else if (view.usedSegmentKeys.has(change.key) && !sent.has(change.key)) events.push(segmentPatch(segment, version));
    } else {
      const flag = view.flagsByKey.get(change.key);
      for (const key of new Set(flag?.rules.flatMap((rule) => rule.segments ?? []) ?? [])) {
        const segment = view.segmentsByKey.get(key);
        if (segment !== undefined && !sent.has(key) && !previouslyUsed?.has(key)) events.push(segmentPatch(segment, version));
      }
      events.push(
        flag
          ? { event: "patch", id: eventId(view.epoch, version), data: JSON.stringify({ version, flag }) }
          : { event: "delete", id: eventId(view.epoch, version), data: JSON.stringify({ version, flag: change.key }) },
      );
    }
  }
  return events;
}
