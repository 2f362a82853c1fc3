import type { ErrorCode, EvaluationContext, FlagMetadata, JsonValue, Reason, VariationValue } from "@switchyard/core";
import type { EventSourceConstructor, FetchLike, StorageLike, VisibilitySource } from "./browser-types";

/** One flag's value for the client's context, as `/api/client/evaluate` and the stream send it. */
export interface EvaluatedFlag {
  value: VariationValue | null;
  variation: number | null;
  /** The variation's name (absent from servers before names, and on errors). */
  variant?: string;
  reason: Reason;
  errorCode?: ErrorCode;
  metadata?: FlagMetadata;
}

export type EvaluatedFlags = Record<string, EvaluatedFlag>;

/** The type a fallback may have; the served value must have the same type. */
export type FlagFallback = boolean | string | number | JsonValue;

/** OpenFeature's vocabulary: on `ERROR` the value is the caller's fallback. */
export interface EvaluationDetails<T> {
  value: T;
  variation: number | null;
  /** The served variation's name; absent on ERROR. */
  variant?: string;
  reason: Reason;
  errorCode?: ErrorCode;
  /** The flag's metadata, when it has some. */
  flagMetadata?: FlagMetadata;
}

/** An error reported through `on("error")`; `fatal` when the client stopped (401/403). */
export interface ClientError extends Error {
  fatal: boolean;
  /** The HTTP status, when the server answered. */
  status?: number;
}

/** Listener arguments per event. */
export interface ClientEventArgs {
  /** The keys whose value, variation or reason changed. */
  change: [keys: string[]];
  error: [error: ClientError];
  /** Values arrived from the server: the first time (also after `ready()` timed out), and again after each error. */
  ready: [];
}
export type ClientEvent = keyof ClientEventArgs;
export type ClientListener<E extends ClientEvent> = (...args: ClientEventArgs[E]) => void;

export interface ClientOptions {
  /** The Switchyard server, e.g. `https://flags.example.com`. */
  url: string;
  /** A client token of one environment (safe to embed in a page). */
  token: string;
  context: EvaluationContext;
  /** Values rendered by the server (`{ flags }` as `/api/client/evaluate` answers); wins over the cache. */
  bootstrap?: { flags: EvaluatedFlags };
  /** Keep values live over Server-Sent Events (default true); false fetches once per context. */
  stream?: boolean;
  /** Defaults to `localStorage` when the page may use it; `null` turns the cache off. */
  storage?: StorageLike | null;
  /** Prefix of the cache entries (default `switchyard`); one entry per token and context. */
  storageKey?: string;
  fetch?: FetchLike;
  EventSource?: EventSourceConstructor;
  /** Defaults to `document`'s visibility; `null` streams regardless of visibility. */
  visibility?: VisibilitySource | null;
  /** How long `ready()` waits for the first values (default 5000). */
  readyTimeoutMs?: number;
}

export interface SwitchyardClient {
  /** Resolves when values arrived from the server (at once with `bootstrap`); rejects after `readyTimeoutMs` or on 401/403. */
  ready(): Promise<void>;
  isEnabled(key: string): boolean;
  /** The value of `key`, or `fallback` when the flag is missing or of another type. Never throws. */
  variation(key: string, fallback: boolean): boolean;
  variation(key: string, fallback: string): string;
  variation(key: string, fallback: number): number;
  variation<T extends JsonValue>(key: string, fallback: T): T;
  /** The value with its variation index, reason and error code (OpenFeature's vocabulary). Never throws. */
  variationDetail(key: string, fallback: boolean): EvaluationDetails<boolean>;
  variationDetail(key: string, fallback: string): EvaluationDetails<string>;
  variationDetail(key: string, fallback: number): EvaluationDetails<number>;
  variationDetail<T extends JsonValue>(key: string, fallback: T): EvaluationDetails<T>;
  /** Switches to another context: re-evaluates and reopens the stream; rejects when the evaluation fails. */
  setContext(context: EvaluationContext): Promise<void>;
  /** The context the client currently serves. */
  context(): EvaluationContext;
  /** Every value the client holds, keyed by flag. */
  allFlags(): EvaluatedFlags;
  /** Subscribes; returns a function that unsubscribes. */
  on<E extends ClientEvent>(event: E, listener: ClientListener<E>): () => void;
  off<E extends ClientEvent>(event: E, listener: ClientListener<E>): void;
  /** Closes the stream and stops every timer and listener. */
  close(): void;
}
