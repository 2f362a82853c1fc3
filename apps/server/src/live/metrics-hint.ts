/**
 * While a deploy observes an environment, its SDKs are asked to report counts this often: a
 * deploy judges `error_rate` per interval (30 s, often less), and the SDKs' own cadence (60 s
 * by default) would give an interval a whole minute of counts or none.
 */
export const OBSERVING_REPORT_AFTER_MS = 1_000;

/** What the server asks of an SDK's metrics cadence (`reportAfterMs` absent: its own interval). */
export interface MetricsHint {
  reportAfterMs?: number;
}

export function metricsHint(observed: boolean): MetricsHint {
  return observed ? { reportAfterMs: OBSERVING_REPORT_AFTER_MS } : {};
}

/**
 * Which environments have a deploy observing them: on the server, read from the database
 * (services/observed-environments.ts); on a relay, what its upstream streams last said.
 */
export interface ObservedSource {
  current(): Promise<ReadonlySet<string>>;
}
