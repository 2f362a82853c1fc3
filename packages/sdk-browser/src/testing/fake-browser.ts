import type { EvaluatedFlags } from "../client-types";
import type { FetchInit, FetchLike, FetchResponse, StorageLike, StreamMessage, VisibilitySource } from "../browser-types";

/** An EventSource whose server side the test plays: `open`, `send`, `fail`. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  private readonly listeners = new Map<string, ((event: StreamMessage) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  static reset(): void {
    FakeEventSource.instances = [];
  }

  /** The most recently created source. */
  static latest(): FakeEventSource {
    const source = FakeEventSource.instances.at(-1);
    if (!source) throw new Error("no EventSource was opened");
    return source;
  }

  static open(): FakeEventSource[] {
    return FakeEventSource.instances.filter((source) => !source.closed);
  }

  addEventListener(type: string, listener: (event: StreamMessage) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  /** The decoded `context` query parameter. */
  context(): unknown {
    const encoded = new URL(this.url).searchParams.get("context") ?? "";
    return JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  }

  send(type: string, data: unknown): void {
    if (this.closed) throw new Error(`event "${type}" sent on a closed EventSource`);
    this.readyState = 1;
    this.dispatch(type, typeof data === "string" ? data : JSON.stringify(data));
  }

  /** A network error: the browser reconnects by itself (CONNECTING), or gives up when fatal (CLOSED). */
  fail({ fatal }: { fatal: boolean }): void {
    this.readyState = fatal ? 2 : 0;
    this.dispatch("error", "");
  }

  private dispatch(type: string, data: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener({ data });
  }
}

export interface RecordedRequest {
  url: string;
  init: FetchInit;
  context: unknown;
}

type Reply = { status: number; body?: unknown } | Error;

/**
 * A fetch that answers `/api/client/evaluate` from a queue of replies (the last one repeats) and
 * records every request. `hold()` keeps the next answers pending until `release()`.
 */
export class FakeFetch {
  readonly requests: RecordedRequest[] = [];
  private replies: Reply[] = [];
  private held: (() => void)[] | undefined;

  constructor(...replies: Reply[]) {
    this.replies = replies;
  }

  reply(...replies: Reply[]): this {
    this.replies = replies;
    return this;
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const resume of held) resume();
  }

  readonly fetch: FetchLike = async (url, init) => {
    const body: unknown = JSON.parse(init.body);
    const context = typeof body === "object" && body !== null && "context" in body ? body.context : undefined;
    this.requests.push({ url, init, context });
    const reply = this.replies.length > 1 ? this.replies.shift() : this.replies[0];
    if (this.held) await new Promise<void>((resume) => this.held?.push(resume));
    if (!reply) throw new Error("no reply queued");
    if (reply instanceof Error) throw reply;
    const response: FetchResponse = {
      ok: reply.status >= 200 && reply.status < 300,
      status: reply.status,
      json: async () => reply.body,
    };
    return response;
  };
}

export const evaluated = (flags: EvaluatedFlags) => ({ status: 200, body: { flags } });

export class MemoryStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

export class FakeVisibility implements VisibilitySource {
  private current: "visible" | "hidden";
  private readonly listeners = new Set<() => void>();

  constructor(initial: "visible" | "hidden" = "visible") {
    this.current = initial;
  }

  state(): string {
    return this.current;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(state: "visible" | "hidden"): void {
    this.current = state;
    for (const listener of this.listeners) listener();
  }

  listenerCount(): number {
    return this.listeners.size;
  }
}

/** Lets pending promise callbacks (fetch answers, `json()`) run. */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await Promise.resolve();
}

export const URL_BASE = "https://flags.example.test";
export const TOKEN = "client-token-1";

/** The options every test starts from: fakes for every browser dependency. */
export function fakeOptions(fetch: FakeFetch, extra: { storage?: StorageLike | null; visibility?: VisibilitySource | null } = {}) {
  return {
    url: URL_BASE,
    token: TOKEN,
    context: { key: "user-42", plan: "pro" },
    fetch: fetch.fetch,
    EventSource: FakeEventSource,
    storage: extra.storage ?? null,
    visibility: extra.visibility ?? null,
  };
}
