/*
 * The few browser interfaces the SDK touches, declared here so the package type-checks without
 * the DOM library and so tests can inject small fakes. The real `localStorage`, `EventSource`,
 * `fetch` and `document` are structurally assignable to them.
 */

/** What the SDK needs of `localStorage`. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The part of a `MessageEvent` the SDK reads. */
export interface StreamMessage {
  data: string;
}

/** What the SDK needs of an `EventSource`. */
export interface EventSourceLike {
  /** 0 connecting, 1 open, 2 closed (a fatal error: the browser will not reconnect by itself). */
  readonly readyState: number;
  addEventListener(type: string, listener: (event: StreamMessage) => void): void;
  close(): void;
}

export type EventSourceConstructor = new (url: string) => EventSourceLike;

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface FetchResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** Page visibility, injectable; defaults to `document.visibilityState` when there is a document. */
export interface VisibilitySource {
  state(): string;
  /** Calls `listener` on every visibility change; returns a function that stops it. */
  onChange(listener: () => void): () => void;
}

export interface DocumentLike {
  readonly visibilityState: string;
  addEventListener(type: "visibilitychange", listener: () => void): void;
  removeEventListener(type: "visibilitychange", listener: () => void): void;
}

/** The globals the SDK falls back to; each may be absent (server-side rendering, workers, tests). */
export interface BrowserGlobals {
  fetch?: FetchLike;
  EventSource?: EventSourceConstructor;
  localStorage?: StorageLike;
  document?: DocumentLike;
}
