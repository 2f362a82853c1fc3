import type { EvaluationContext } from "@switchyard/core";
import { backoffDelayMs } from "./backoff";
import type { BrowserGlobals, EventSourceLike, StorageLike } from "./browser-types";
import { changedKeys } from "./changed-keys";
import { createEmitter } from "./client-events";
import type { ClientError, ClientOptions, EvaluatedFlags, FlagFallback, SwitchyardClient } from "./client-types";
import { encodeContext } from "./context-encoding";
import { cacheKey, readCache, writeCache } from "./flag-cache";
import { flagDetail } from "./flag-detail";
import { deletedOf, flagsOf } from "./flags-payload";
import { documentVisibility } from "./visibility";

const EVENT_SOURCE_CLOSED = 2;

function clientError(message: string, fatal: boolean, status?: number): ClientError {
  return Object.assign(new Error(message), { fatal, status });
}

function defaultStorage(globals: BrowserGlobals): StorageLike | undefined {
  try {
    return globals.localStorage;
  } catch {
    // Reading `localStorage` itself throws where the page may not use storage.
    return undefined;
  }
}

/**
 * A client for one context. Reads answer synchronously from the values held (bootstrap, else the
 * cache of this context, else nothing → fallbacks); the network only ever updates them.
 *
 * Connecting is one sequence: evaluate, then open the stream. Evaluating first is what notices a
 * revoked token (an EventSource never sees a status code), and every reconnect after a fatal
 * stream error runs the whole sequence again, so values missed while closed are refetched.
 */
export function createClient(options: ClientOptions): SwitchyardClient {
  const globals: BrowserGlobals = globalThis;
  const { token, bootstrap, stream = true, readyTimeoutMs = 5000, storageKey = "switchyard" } = options;
  const url = options.url.replace(/\/+$/, "");
  const storage = options.storage === undefined ? defaultStorage(globals) : options.storage;
  const fetchFlags = options.fetch ?? globals.fetch?.bind(globalThis);
  const EventSourceImpl = options.EventSource ?? globals.EventSource;
  const visibility = options.visibility === undefined ? documentVisibility(globals) : options.visibility;
  const events = createEmitter();

  let context = options.context;
  let flags: EvaluatedFlags = bootstrap?.flags ?? readCache(storage, cacheKey(storageKey, token, context)) ?? {};
  // False until values arrive from the server and again after each error: "ready" fires on the way back.
  let isFresh = bootstrap !== undefined;
  let stopped = false;
  // Bumped by every (re)connect and by close: an answer of an older generation is dropped.
  let generation = 0;
  let attempt = 0;
  let source: EventSourceLike | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const readyPromise = new Promise<void>((resolve, reject) => {
    if (isFresh) resolve();
    events.on("ready", resolve);
    events.on("error", (error) => error.fatal && reject(error));
    setTimeout(() => reject(clientError(`No flag values within ${readyTimeoutMs} ms`, false)), readyTimeoutMs);
  });
  // Nobody has to call ready(): its rejection alone must not surface as an unhandled rejection.
  readyPromise.catch(() => undefined);

  const hidden = () => visibility?.state() === "hidden";

  function pause(): void {
    source?.close();
    source = undefined;
    clearTimeout(retryTimer);
  }

  function disconnect(): void {
    generation++;
    pause();
  }

  function apply(next: EvaluatedFlags): void {
    const keys = changedKeys(flags, next);
    flags = next;
    attempt = 0;
    writeCache(storage, cacheKey(storageKey, token, context), next);
    if (!isFresh) {
      isFresh = true;
      events.emit("ready");
    }
    if (keys.length > 0) events.emit("change", keys);
  }

  function fail(error: ClientError): void {
    isFresh = false;
    events.emit("error", error);
  }

  function retryLater(error: ClientError): void {
    fail(error);
    clearTimeout(retryTimer);
    // A hidden page does not retry: becoming visible reconnects anyway.
    if (!hidden()) retryTimer = setTimeout(() => connect().catch(() => undefined), backoffDelayMs(attempt++));
  }

  function receive(data: string, full: boolean): void {
    try {
      const body: unknown = JSON.parse(data);
      // A patch that only deletes may come without `flags`.
      const incoming = flagsOf(body) ?? (full || deletedOf(body).length === 0 ? undefined : {});
      if (!incoming) throw clientError("Malformed stream event", false);
      const next = full ? { ...incoming } : { ...flags, ...incoming };
      for (const key of deletedOf(body)) delete next[key];
      apply(next);
    } catch (error) {
      fail(clientError(String(error), false));
    }
  }

  function openStream(current: number): void {
    if (!stream || !EventSourceImpl || hidden() || current !== generation) return;
    const query = `context=${encodeContext(context)}&token=${encodeURIComponent(token)}`;
    const eventSource = new EventSourceImpl(`${url}/api/client/stream?${query}`);
    source = eventSource;
    eventSource.addEventListener("put", (event) => receive(event.data, true));
    eventSource.addEventListener("patch", (event) => receive(event.data, false));
    eventSource.addEventListener("error", () => {
      // While CONNECTING the browser retries by itself; CLOSED is final, so reconnect ourselves.
      if (eventSource.readyState === EVENT_SOURCE_CLOSED && source === eventSource) {
        disconnect();
        retryLater(clientError("Stream closed", false));
      }
    });
  }

  async function connect(): Promise<void> {
    disconnect();
    const current = generation;
    if (stopped) return;
    try {
      if (!fetchFlags) throw clientError("No fetch", false);
      const response = await fetchFlags(`${url}/api/client/evaluate`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ context }),
      });
      const status = response.status;
      if (status === 401 || status === 403) throw clientError(`Token refused (${status})`, true, status);
      if (!response.ok) throw clientError(`Evaluate failed (${status})`, false, status);
      const incoming = flagsOf(await response.json());
      if (!incoming) throw clientError("Malformed evaluate answer", false, status);
      if (current !== generation) return;
      apply(incoming);
      openStream(current);
    } catch (caught) {
      if (current !== generation) return;
      const error = isClientError(caught) ? caught : clientError(String(caught), false);
      if (error.fatal) {
        stopped = true;
        disconnect();
        fail(error);
      } else {
        retryLater(error);
      }
      throw error;
    }
  }

  const stopWatching = visibility?.onChange(() => {
    // Hidden: no stream (an answer in flight still lands); visible: refetch what was missed, reopen.
    if (hidden()) pause();
    else connect().catch(() => undefined);
  });

  connect().catch(() => undefined);

  return {
    ready: () => readyPromise,
    isEnabled: (key) => flagDetail<boolean>(flags, key, false).value,
    variation: <T extends FlagFallback>(key: string, fallback: T) => flagDetail(flags, key, fallback).value,
    variationDetail: <T extends FlagFallback>(key: string, fallback: T) => flagDetail(flags, key, fallback),
    setContext(next: EvaluationContext) {
      context = next;
      return connect();
    },
    context: () => context,
    allFlags: () => ({ ...flags }),
    on: events.on,
    off: events.off,
    close() {
      stopped = true;
      disconnect();
      stopWatching?.();
      events.clear();
    },
  };
}

function isClientError(value: unknown): value is ClientError {
  return value instanceof Error && "fatal" in value;
}
