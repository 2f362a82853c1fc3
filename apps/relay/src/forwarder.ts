import type { EvaluationContext } from "@switchyard/core";
import type { Logger } from "pino";
import type { MetricsHint } from "../../server/src/live/metrics-hint";
import type { EvaluationCount, EventCount } from "../../server/src/services/report-counts";
import type { CountSource } from "../../server/src/store/count-sources";
import { withSlash } from "./upstream";

/** One downstream report's part that the forwarder keeps: the counts are those the environment keeps (`keptCounts`). */
export interface ForwardedReport {
  environment: string;
  source: CountSource;
  /** A server SDK's report: its instance and served version. Browsers acknowledge nothing, so have none. */
  instance?: { instanceId: string; sdk?: string | undefined; version?: number | undefined; epoch?: string | undefined } | undefined;
  evaluations: readonly EvaluationCount[];
  events: readonly EventCount[];
}

type Keyed = { environment: string };
type InstanceEntry = NonNullable<ForwardedReport["instance"]> & Keyed;
type EvaluationEntry = EvaluationCount & Keyed & { source: CountSource };
type EventEntry = EventCount & Keyed & { source: CountSource };

/** What `POST /api/relay/reports` takes at most per list (apps/server/src/routes/relay.ts). */
const MAX_PER_LIST = 10_000;
/** A batch's instances, counts and presence together stay under the server's 1 MB body limit. */
const MAX_REPORT_BYTES = 768 * 1024;
/**
 * Stream presence in one batch, at most: environments past it go in the batches that follow at
 * once (10,000 instance ids of one environment are ~400 KB, so several busy environments would
 * not fit in one body).
 */
const MAX_PRESENCE_BYTES = 512 * 1024;
const MAX_CONTEXT_BYTES = 128 * 1024;
const MAX_CONTEXTS = 1_000;
const MAX_INSTANCE_IDS = 10_000;
/** Presence unchanged is still sent this often: the server counts a stream connected for 45 s. */
const PRESENCE_REFRESH_MS = 10_000;
/**
 * An instance reporting a version it had not reported is forwarded this soon rather than at the
 * next tick: it may acknowledge a deploy's flag-off, and its report carries the counts from
 * before it, which belong to the interval before the deploy looks for recovery.
 */
const ACKNOWLEDGEMENT_DELAY_MS = 20;

export interface ForwarderOptions {
  serverUrl: string;
  token: string;
  relayId: string;
  intervalMs: number;
  logger: Logger;
  /** The server SDK instances with an open stream here, per environment served. */
  streams(): Array<{ environment: string; instanceIds: string[] }>;
  /** The server's answer says which environments a deploy observes. */
  onHints(hints: Record<string, MetricsHint>): void;
  /** Instances and count keys kept, each, while the server cannot be reached; new ones beyond it are dropped. */
  maxKept?: number;
  /** How soon a newly served version goes up (default `ACKNOWLEDGEMENT_DELAY_MS`). */
  acknowledgementDelayMs?: number;
}

/**
 * Sends what downstream SDKs and browsers report to the server once a second, aggregated: the
 * last report of each server SDK instance (its served version acknowledges a flag-off as a
 * direct report does), the counts of every report summed per environment, source, flag and
 * variation (or event), which instances hold a stream here, and a sample of evaluated contexts.
 * Thousands of SDKs reporting cost the server one write a second, not one per report.
 */
export class Forwarder {
  private instances = new Map<string, InstanceEntry>();
  private evaluations = new Map<string, EvaluationEntry>();
  private events = new Map<string, EventEntry>();
  /** The version each instance's last forwarded report served (bounded like the kept maps). */
  private readonly forwardedVersions = new Map<string, number>();
  private readonly contexts = new Map<string, { environment: string; context: EvaluationContext; count: number }>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  /** A flush was asked for while a batch was on its way: one more follows it. */
  private again = false;
  /** Per environment, the presence last recorded by the server and when. */
  private readonly presenceSent = new Map<string, { ids: string; at: number }>();
  /** Instances and count keys dropped because as many were kept while the server was unreachable. */
  dropped = 0;

  constructor(private readonly options: ForwarderOptions) {}

  /** Adds a report: its instance replaces that instance's earlier one, its counts add to the sums. */
  add(report: ForwardedReport): void {
    const { environment, source, instance } = report;
    for (const e of report.evaluations)
      this.addCount(this.evaluations, `${environment}\u0001${source}\u0001${e.flag}\u0001${e.variation}`, {
        environment,
        source,
        flag: e.flag,
        variation: e.variation,
        count: e.count,
      });
    for (const e of report.events)
      this.addCount(this.events, `${environment}\u0001${source}\u0001${e.event}\u0001${e.flag ?? ""}\u0001${e.variation ?? ""}`, {
        environment,
        source,
        event: e.event,
        ...(e.flag === undefined ? {} : { flag: e.flag }),
        ...(e.variation === undefined ? {} : { variation: e.variation }),
        count: e.count,
      });
    if (instance !== undefined) this.keepInstance({ environment, ...instance });
  }

  /** A context evaluated here (client evaluate, client streams, OFREP), for the server's sample. */
  offerContext(environment: string, context: EvaluationContext, count = 1): void {
    const key = `${environment}\u0001${JSON.stringify(context)}`;
    const known = this.contexts.get(key);
    if (known !== undefined) known.count += count;
    else if (this.contexts.size < MAX_CONTEXTS) this.contexts.set(key, { environment, context, count });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and sends what is kept, once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    await this.flush();
  }

  /**
   * Sends what is kept. Asked for while a batch is on its way (a slow server), it sends again as
   * soon as that one is answered instead of waiting a tick, so counts are never a tick late; so
   * does a batch that left more than it took.
   */
  flush(): Promise<void> {
    if (this.sending !== undefined) {
      this.again = true;
      return this.sending;
    }
    const run = async () => {
      do {
        this.again = false;
        const sent = await this.send();
        // A failed batch waits for the next tick: no retrying a server that is down in a loop.
        if (sent === "failed") break;
        if (sent === "more") this.again = true;
      } while (this.again);
    };
    this.sending = run().finally(() => (this.sending = undefined));
    return this.sending;
  }

  /** One batch; "more" when what is kept did not fit in it, "failed" when it stays kept for the next tick. */
  private async send(): Promise<"done" | "more" | "failed"> {
    const { logger } = this.options;
    // Presence of the environments whose streams changed, or were not confirmed for a while.
    const now = Date.now();
    const due = this.options.streams().flatMap(({ environment, instanceIds }) => {
      const listed = instanceIds.slice(0, MAX_INSTANCE_IDS);
      const ids = JSON.stringify(listed);
      const sent = this.presenceSent.get(environment);
      return sent !== undefined && sent.ids === ids && now - sent.at < PRESENCE_REFRESH_MS
        ? []
        : [{ environment, instanceIds: listed, ids }];
    });
    const streams: typeof due = [];
    let presenceBytes = 0;
    for (const entry of due) {
      const bytes = entry.ids.length + entry.environment.length + 40;
      if (streams.length > 0 && presenceBytes + bytes > MAX_PRESENCE_BYTES) break;
      streams.push(entry);
      presenceBytes += bytes;
    }
    if (this.kept() === 0 && this.contexts.size === 0 && streams.length === 0) return "done";
    // One byte budget for presence and the three lists, taken in this order; what does not fit goes next.
    let budget = MAX_REPORT_BYTES - presenceBytes;
    const take = <T>(kept: Map<string, T>): [string, T][] => {
      const taken: [string, T][] = [];
      for (const entry of kept) {
        const bytes = JSON.stringify(entry[1]).length + 1;
        if (taken.length >= MAX_PER_LIST || bytes > budget) break;
        budget -= bytes;
        taken.push(entry);
      }
      for (const [key] of taken) kept.delete(key);
      return taken;
    };
    const evaluations = take(this.evaluations);
    const events = take(this.events);
    const instances = take(this.instances);
    // What did not fit goes right after; what arrives while this batch is on its way waits for the tick.
    const leftBehind = this.kept() > 0 || due.length > streams.length;
    const sampled = [...this.contexts.values()];
    const contexts = sampled.slice(0, batchSize(sampled, MAX_CONTEXTS, MAX_CONTEXT_BYTES));
    this.contexts.clear();
    const values = <T>(entries: [string, T][]) => entries.map(([, value]) => value);
    // Noted before the answer: the same version reported meanwhile is no news (and if this batch
    // fails, its instances are kept and go at the next tick).
    for (const [key, instance] of instances) if (instance.version !== undefined) this.forwarded(key, instance.version);
    try {
      const answer = await this.post({
        relayId: this.options.relayId,
        instances: values(instances),
        evaluations: values(evaluations),
        events: values(events),
        streams: streams.map(({ environment, instanceIds }) => ({ environment, instanceIds })),
        contexts: [],
      });
      if (answer === "refused") return "done";
      for (const { environment, ids } of streams) this.presenceSent.set(environment, { ids, at: now });
      const hints = typeof answer === "object" && answer !== null ? Reflect.get(answer, "hints") : undefined;
      if (typeof hints === "object" && hints !== null) this.options.onHints(hints as Record<string, MetricsHint>);
    } catch (error) {
      // Nothing of the batch was recorded (the server writes a batch whole): kept for the next
      // attempt, under what arrived meanwhile — a newer report of an instance wins, counts add up.
      for (const [key, instance] of instances) if (!this.instances.has(key)) this.instances.set(key, instance);
      for (const [key, entry] of evaluations) this.addCount(this.evaluations, key, entry);
      for (const [key, entry] of events) this.addCount(this.events, key, entry);
      logger.warn(
        { err: error instanceof Error ? error.message : String(error), instances: this.instances.size },
        "reports not forwarded yet",
      );
      return "failed";
    }
    // Apart from the reports: a sample the server refused must never cost an acknowledgement.
    // Contexts are only a sample, so a failed send is not retried.
    if (contexts.length > 0) {
      await this.post({ relayId: this.options.relayId, streams: [], contexts }).catch((error: unknown) =>
        logger.debug({ err: error instanceof Error ? error.message : String(error) }, "context sample not forwarded"),
      );
    }
    return leftBehind ? "more" : "done";
  }

  private kept(): number {
    return this.instances.size + this.evaluations.size + this.events.size;
  }

  private keepInstance(instance: InstanceEntry): void {
    const key = `${instance.environment}\u0001${instance.instanceId}`;
    const earlier = this.instances.get(key);
    // A report without a version (an SDK between loads) does not take back the one before it.
    const served = instance.version === undefined && earlier !== undefined ? { version: earlier.version, epoch: earlier.epoch } : {};
    if (earlier === undefined && this.atBound(this.instances)) return;
    this.instances.delete(key); // re-inserted: the map's order is the order of the latest reports
    const kept = { ...instance, ...served };
    this.instances.set(key, kept);
    if (kept.version !== undefined && kept.version !== (earlier?.version ?? this.forwardedVersions.get(key))) {
      this.soon ??= setTimeout(() => {
        this.soon = undefined;
        void this.flush();
      }, this.options.acknowledgementDelayMs ?? ACKNOWLEDGEMENT_DELAY_MS);
    }
  }

  private forwarded(key: string, version: number): void {
    this.forwardedVersions.delete(key);
    this.forwardedVersions.set(key, version);
    if (this.forwardedVersions.size > (this.options.maxKept ?? 50_000)) {
      const oldest = this.forwardedVersions.keys().next();
      if (!oldest.done) this.forwardedVersions.delete(oldest.value);
    }
  }

  private addCount<T extends { count: number }>(kept: Map<string, T>, key: string, entry: T): void {
    const earlier = kept.get(key);
    if (earlier !== undefined) earlier.count += entry.count;
    else if (!this.atBound(kept)) kept.set(key, { ...entry });
  }

  private atBound(kept: Map<string, unknown>): boolean {
    if (kept.size < (this.options.maxKept ?? 50_000)) return false;
    this.dropped += 1;
    return true;
  }

  /** One POST; throws to retry later (network, 5xx, 429), answers "refused" for a batch that would be refused again. */
  private async post(body: object): Promise<unknown> {
    const response = await fetch(new URL("api/relay/reports", withSlash(this.options.serverUrl)), {
      method: "POST",
      headers: { authorization: `Bearer ${this.options.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status >= 500 || response.status === 429) {
      await response.body?.cancel();
      throw new Error(`the server answered ${response.status}`);
    }
    if (!response.ok) {
      this.options.logger.error({ status: response.status, body: (await response.text()).slice(0, 500) }, "forwarded batch refused");
      return "refused";
    }
    return response.json().catch(() => undefined);
  }
}

/** How many of the first `items` fit in one batch: at most `maxCount`, and `maxBytes` of JSON (at least one). */
function batchSize(items: readonly unknown[], maxCount: number, maxBytes: number): number {
  let bytes = 0;
  let count = 0;
  for (const item of items) {
    if (count >= maxCount) break;
    bytes += JSON.stringify(item).length + 1;
    if (bytes > maxBytes && count > 0) break;
    count += 1;
  }
  return count;
}
