import type { Logger } from "pino";
import type { Db } from "../store/database";
import { observedEnvironments } from "../store/deploys";

/**
 * While a deploy observes an environment, its SDKs are asked to report counts this often: a
 * deploy judges `error_rate` per interval (30 s, often less), and the SDKs' own cadence (60 s
 * by default) would give an interval a whole minute of counts or none.
 */
export const OBSERVING_REPORT_AFTER_MS = 1_000;
/** How long a replica reuses its answer: a thousand metrics reports a second cost one query. */
export const OBSERVED_CACHE_MS = 1_000;

/** What the server asks of an SDK's metrics cadence (`reportAfterMs` absent: its own interval). */
export interface MetricsHint {
  reportAfterMs?: number;
}

export function metricsHint(observed: boolean): MetricsHint {
  return observed ? { reportAfterMs: OBSERVING_REPORT_AFTER_MS } : {};
}

/**
 * Which environments have an undecided deploy, read from the database and cached briefly. Each
 * replica asks the database itself, so no bus message is needed when a deploy starts or ends.
 */
export class ObservedEnvironments {
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
