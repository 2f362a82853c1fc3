import { eventId, type StreamEvent } from "./sdk-events";

/**
 * OFREP change notification (OFREP ADR-0008, as `@openfeature/ofrep-web-provider` 0.4 implements
 * it): a bulk answer advertises `eventStreams`; the provider opens each `sse` one with a plain
 * EventSource and, on a `refetchEvaluation` message, fetches the bulk evaluation again (with
 * If-None-Match, so nothing changed → 304) and emits ConfigurationChanged when values changed.
 * The events carry no values and no flag names: the stream only says "ask again". Decision and
 * trade-offs: docs/adr/ofrep-event-streams.md.
 */

/** The path of the stream, below the OFREP base (`/ofrep/v1`). */
export const OFREP_EVENTS_PATH = "/ofrep/v1/events";

/** How long a hidden page keeps its stream before the provider closes it (the provider's default). */
export const OFREP_INACTIVITY_DELAY_SECONDS = 120;

/**
 * The one event an OFREP stream sends: a default (`message`) event asking for a refetch. Its
 * `etag` is `<epoch>-<seq>`, the change this replica had applied; the provider sends it back as
 * `?flagConfigEtag=`, and a replica that has not applied that change yet catches up before
 * answering (`catchUpTo`), so a refetch that lands on another replica still sees the change.
 */
export function ofrepRefetchEvent(epoch: string, appliedSeq: number): StreamEvent {
  return { event: "message", data: JSON.stringify({ type: "refetchEvaluation", etag: eventId(epoch, appliedSeq) }) };
}

/**
 * The `eventStreams` member of a bulk answer for a client token: one SSE stream, given as a path
 * (`endpoint.requestUri`) that the provider resolves against the origin of its `baseUrl`, so it
 * works behind proxies that rename the host. EventSource cannot send headers, so the client
 * token rides in the query string, as for `/api/client/stream`; client tokens are public (every
 * page that uses one ships it). Server tokens are never put in a URL and get no `eventStreams`.
 */
export function ofrepEventStreams(clientToken: string): string {
  const requestUri = `${OFREP_EVENTS_PATH}?token=${encodeURIComponent(clientToken)}`;
  return JSON.stringify([{ type: "sse", endpoint: { requestUri }, inactivityDelaySec: OFREP_INACTIVITY_DELAY_SECONDS }]);
}
