import type { EnvironmentView } from "../live/environment-view";
import { CountSources, type CountSource } from "../store/count-sources";

/**
 * What of a metrics report's counts an environment keeps, without the database: the server's
 * intake (services/sdk-usage.ts) and a relay's (apps/relay, which sums what it keeps before
 * forwarding) apply the same rules.
 */

export interface EvaluationCount {
  flag: string;
  variation: number;
  count: number;
}

export interface EventCount {
  event: string;
  flag?: string | undefined;
  variation?: number | undefined;
  count: number;
}

/**
 * The most one browser report may count per entry. A page reports what one visitor did since its
 * last report; thousands of errors in one entry are not a browser but someone holding the client
 * token, which every web page ships.
 */
export const BROWSER_COUNT_CAP = 100;

export interface KeptCounts<E extends EvaluationCount, V extends EventCount> {
  evaluations: E[];
  events: V[];
  /** Counts for flags this environment does not have (archived, or a typo in `track`) are dropped. */
  ignored: { evaluations: number; events: number };
  /** Entries whose count was cut to `BROWSER_COUNT_CAP` (none unless capped). */
  capped: { evaluations: number; events: number };
}

/** Whether a report's entries are each cut to `BROWSER_COUNT_CAP`: those from a browser are. */
export const capsEachEntry = (source: CountSource): boolean => source === CountSources.browser;

/** The counts of flags (and variations) `view` serves, each cut to `BROWSER_COUNT_CAP` when `capEach` (see `capsEachEntry`). */
export function keptCounts<E extends EvaluationCount, V extends EventCount>(
  view: EnvironmentView | undefined,
  report: { evaluations: readonly E[]; events: readonly V[] },
  capEach: boolean,
): KeptCounts<E, V> {
  const known = (flag: string, variation: number) => {
    const definition = view?.flagsByKey.get(flag);
    return definition !== undefined && variation < definition.variations.length;
  };
  const evaluations = capped(
    report.evaluations.filter((e) => known(e.flag, e.variation)),
    capEach,
  );
  const events = capped(
    report.events.filter((e) => e.flag === undefined || known(e.flag, e.variation ?? 0)),
    capEach,
  );
  return {
    evaluations: evaluations.entries,
    events: events.entries,
    ignored: { evaluations: report.evaluations.length - evaluations.entries.length, events: report.events.length - events.entries.length },
    capped: { evaluations: evaluations.capped, events: events.capped },
  };
}

function capped<T extends { count: number }>(entries: T[], capEach: boolean): { entries: T[]; capped: number } {
  if (!capEach) return { entries, capped: 0 };
  const over = entries.filter((e) => e.count > BROWSER_COUNT_CAP).length;
  return { entries: entries.map((e) => (e.count > BROWSER_COUNT_CAP ? { ...e, count: BROWSER_COUNT_CAP } : e)), capped: over };
}
