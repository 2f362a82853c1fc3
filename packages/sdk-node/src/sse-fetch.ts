import type { FetchLike, FetchLikeResponse, ReaderLike } from "eventsource";
import { authorization, readErrorDetail } from "./endpoints";
import type { FetchFunction } from "./options";
import { SDK_NAME } from "./sdk-info";

export interface SseFetchOptions {
  fetch: FetchFunction;
  token: string;
  instanceId: string;
  /** The id of the last event applied, sent as `Last-Event-ID` to resume without a full put. */
  lastEventId: () => string | undefined;
  /** Called for every chunk read from the stream: events and heartbeat comments alike. */
  onBytes: () => void;
  /** Called with the reason the server gave when it answered anything but 200. */
  onRefused: (status: number, detail: string) => void;
}

function observedReader(reader: ReadableStreamDefaultReader<Uint8Array>, onBytes: () => void): ReaderLike {
  return {
    async read() {
      const chunk = await reader.read();
      if (!chunk.done) onBytes();
      return chunk;
    },
    cancel: () => reader.cancel(),
  };
}

/**
 * The `fetch` handed to `EventSource`. It adds the SDK's headers (EventSource sets none of its
 * own but `Accept`), sends our `Last-Event-ID` — each reconnect uses a new EventSource, which
 * starts without one — and watches the bytes, because EventSource does not surface heartbeat
 * comments and silence detection needs them.
 */
export function createSseFetch(options: SseFetchOptions): FetchLike {
  return async (url, init): Promise<FetchLikeResponse> => {
    const headers: Record<string, string> = {
      ...init.headers,
      Authorization: authorization(options.token),
      "X-Switchyard-Instance": options.instanceId,
      "User-Agent": SDK_NAME,
    };
    const lastEventId = options.lastEventId();
    if (lastEventId !== undefined) headers["Last-Event-ID"] = lastEventId;
    const response = await options.fetch(String(url), {
      method: "GET",
      headers,
      redirect: init.redirect,
      signal: init.signal instanceof AbortSignal ? init.signal : null,
    });
    const { status, headers: responseHeaders, url: responseUrl, redirected } = response;
    if (status !== 200 || response.body === null) {
      // EventSource fails the connection on any non-200; give it the status and free the socket.
      options.onRefused(status, await readErrorDetail(response));
      return { status, headers: responseHeaders, url: responseUrl, redirected, body: null };
    }
    const body = response.body;
    return {
      status,
      headers: responseHeaders,
      url: responseUrl,
      redirected,
      body: { getReader: () => observedReader(body.getReader(), options.onBytes) },
    };
  };
}
