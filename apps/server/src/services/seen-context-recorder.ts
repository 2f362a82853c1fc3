import { attributesUsed, type EvaluationContext, sampleContext, type WeightedContext } from "@switchyard/core";
import type { Logger } from "pino";
import type { Db } from "../store/database";
import { addSeenContexts, listSeenContexts, samplingEnvironments, type SeenContextInput } from "../store/seen-contexts";
import type { EnvironmentView } from "../live/live-state";

/** Contexts kept per environment (a weighted reservoir in `seen_contexts`). */
export const SEEN_CONTEXTS_CAPACITY = 10_000;
/** How long contexts are buffered in memory before they are written. */
export const SEEN_CONTEXTS_FLUSH_MS = 5_000;
/** A context not seen for this long leaves the sample. */
export const SEEN_CONTEXTS_RETENTION_DAYS = 7;
/** How long a replica reuses the sample it read (its own writes are merged in meanwhile). */
export const SEEN_CONTEXTS_CACHE_MS = 60_000;

/** An environment's sample as previews read it: by context key, its kept attributes and weight. */
type Sample = Map<string, { attributes: Record<string, unknown>; weight: number }>;

// One list per view: a view is immutable and replaced on every change.
const attributeLists = new WeakMap<EnvironmentView, string[]>();

/** The attributes a sample of this environment may keep (key, and what its targeting reads). */
export function sampledAttributes(view: EnvironmentView): string[] {
  let attributes = attributeLists.get(view);
  if (attributes === undefined) {
    attributes = attributesUsed({ flags: view.flags, segments: view.segments });
    attributeLists.set(view, attributes);
  }
  return attributes;
}

/**
 * Buffers the contexts this replica evaluates (`/api/client/*`, OFREP) or receives from SDKs,
 * trimmed to what the sample may keep, and writes them in batches: evaluation endpoints answer
 * thousands of requests a second and must not write a row each. A batch goes out when it is
 * `flushMs` old (at the next context offered, or on the timer `start()` sets), when an
 * environment's buffer holds `capacity` contexts, and before a preview reads the sample.
 * Environments with `seen_contexts_enabled` off are dropped at the flush.
 */
export class SeenContextRecorder {
  private buffers = new Map<string, Map<string, SeenContextInput>>();
  private oldestAt: number | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Flushes queued or running: while one is, offers do not start another (they fill the next buffer). */
  private writing = 0;
  /**
   * The samples previews read, per environment: reading 10,000 rows takes longer than a preview
   * may, so a replica keeps what it read for SEEN_CONTEXTS_CACHE_MS and adds what it writes
   * itself; other replicas' writes arrive when it reads again.
   */
  private readonly samples = new Map<string, { sample: Sample; readAt: number; contexts?: readonly WeightedContext[] }>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: { capacity?: number; flushMs?: number; now?: () => number } = {},
  ) {}

  /** One evaluation request (weight 1) or an SDK's report of a context (weight = its evaluations). */
  offer(view: EnvironmentView, context: EvaluationContext, weight = 1): void {
    const sampled = sampleContext(context, sampledAttributes(view));
    if (sampled === undefined || !(weight > 0) || !storable(sampled)) return;
    let buffer = this.buffers.get(view.key);
    if (buffer === undefined) {
      buffer = new Map();
      this.buffers.set(view.key, buffer);
    }
    const { key, ...attributes } = sampled;
    const capacity = this.options.capacity ?? SEEN_CONTEXTS_CAPACITY;
    const existing = buffer.get(key);
    if (existing) {
      existing.weight += weight;
      existing.attributes = attributes;
    } else if (buffer.size < capacity) buffer.set(key, { contextKey: key, attributes, weight });
    // Else a full buffer waits for a slow database: memory stays bounded, and a sample can skip a context.
    const now = this.now();
    this.oldestAt ??= now;
    const due = buffer.size >= capacity || now - this.oldestAt >= (this.options.flushMs ?? SEEN_CONTEXTS_FLUSH_MS);
    if (due && this.writing === 0)
      void this.flush().catch((error: unknown) => this.logger.warn({ err: error }, "could not write seen contexts"));
  }

  /** Writes what is buffered; resolves when this and every earlier flush are done. */
  flush(): Promise<void> {
    const buffers = this.buffers;
    this.buffers = new Map();
    this.oldestAt = undefined;
    this.writing++;
    const next = this.flushing.then(() => this.write(buffers)).finally(() => this.writing--);
    this.flushing = next.catch(() => {});
    return next;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.oldestAt !== undefined && this.now() - this.oldestAt >= (this.options.flushMs ?? SEEN_CONTEXTS_FLUSH_MS))
        void this.flush().catch((error: unknown) => this.logger.warn({ err: error }, "could not write seen contexts"));
    }, 1_000);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch((error: unknown) => this.logger.warn({ err: error }, "could not write seen contexts"));
  }

  /** The environment's seen contexts, after this replica's buffer is written. */
  async read(environmentKey: string): Promise<readonly WeightedContext[]> {
    // A buffer the database refused must not fail the preview or write that reads the sample.
    await this.flush().catch((error: unknown) => this.logger.warn({ err: error }, "could not write seen contexts"));
    const now = this.now();
    let cached = this.samples.get(environmentKey);
    if (cached === undefined || now - cached.readAt >= SEEN_CONTEXTS_CACHE_MS) {
      const rows = await listSeenContexts(this.db, environmentKey);
      cached = { sample: new Map(rows.map((r) => [r.contextKey, { attributes: r.attributes, weight: r.weight }])), readAt: now };
      this.samples.set(environmentKey, cached);
    }
    if (cached.contexts === undefined) {
      const contexts: WeightedContext[] = [];
      for (const [key, { attributes, weight }] of cached.sample) contexts.push({ context: { ...attributes, key }, weight });
      cached.contexts = contexts;
    }
    return cached.contexts;
  }

  /** Forgets an environment's sample (sampling was turned off, and its rows deleted). */
  forget(environmentKey: string): void {
    this.samples.delete(environmentKey);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Adds what this replica wrote to the sample it holds; past capacity, the next read reloads (eviction happened). */
  private merge(environmentKey: string, buffer: Map<string, SeenContextInput>): void {
    const cached = this.samples.get(environmentKey);
    if (cached === undefined) return;
    cached.contexts = undefined;
    for (const row of buffer.values()) {
      const held = cached.sample.get(row.contextKey);
      cached.sample.set(row.contextKey, { attributes: row.attributes, weight: (held?.weight ?? 0) + row.weight });
    }
    if (cached.sample.size > (this.options.capacity ?? SEEN_CONTEXTS_CAPACITY)) this.samples.delete(environmentKey);
  }

  private async write(buffers: Map<string, Map<string, SeenContextInput>>): Promise<void> {
    if (buffers.size === 0) return;
    const enabled = await samplingEnvironments(this.db, [...buffers.keys()]);
    const at = new Date(this.now());
    for (const [environmentKey, buffer] of buffers) {
      if (!enabled.has(environmentKey)) continue;
      await addSeenContexts(this.db, environmentKey, [...buffer.values()], at, this.options.capacity ?? SEEN_CONTEXTS_CAPACITY);
      this.merge(environmentKey, buffer);
    }
  }
}

/**
 * PostgreSQL stores neither U+0000 nor a lone UTF-16 surrogate (text or jsonb). Evaluation
 * endpoints answer such contexts, but they are not kept: one would fail the whole batch's insert.
 * `JSON.stringify` writes both as `\u` escapes (a well-formed pair stays as is).
 */
function storable(context: object): boolean {
  return !/\\u0000|\\ud[89a-f]/i.test(JSON.stringify(context));
}
