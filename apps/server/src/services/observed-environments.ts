import type { Logger } from "pino";
import type { Db } from "../store/database";
import { observedEnvironments } from "../store/deploys";
import { metricsHint, type MetricsHint, type ObservedSource } from "../live/metrics-hint";

export { metricsHint, OBSERVING_REPORT_AFTER_MS, type MetricsHint } from "../live/metrics-hint";

/** How long a replica reuses its answer: a thousand metrics reports a second cost one query. */
export const OBSERVED_CACHE_MS = 1_000;

/**
 * Which environments have an undecided deploy, read from the database and cached briefly. Each
 * replica asks the database itself, so no bus message is needed when a deploy starts or ends.
 */
export class ObservedEnvironments implements ObservedSource {
  private known: ReadonlySet<string> = new Set();
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<ReadonlySet<string>> | undefined;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly cacheMs = OBSERVED_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** At most `cacheMs` old; callers arriving while it is read share one query. */
  current(): Promise<ReadonlySet<string>> {
    if (this.now() - this.readAt < this.cacheMs) return Promise.resolve(this.known);
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  async hint(environmentKey: string): Promise<MetricsHint> {
    return metricsHint((await this.current()).has(environmentKey));
  }

  /** A failed read keeps the last answer (for `cacheMs`): the hint is an optimisation, never a reason to fail a request. */
  private async read(): Promise<ReadonlySet<string>> {
    const startedAt = this.now();
    try {
      this.known = new Set(await observedEnvironments(this.db));
    } catch (error) {
      this.logger.warn({ err: error }, "could not read which environments have an observing deploy; keeping the last answer");
    }
    this.readAt = startedAt;
    return this.known;
  }
}
