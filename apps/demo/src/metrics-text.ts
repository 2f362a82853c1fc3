import type { CountsByPath } from "./checkout-stats";
import { checkoutPathList } from "./failure-model";

/** What `GET /metrics` answers with: Prometheus' text exposition format, version 0.0.4. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The checkout counters in Prometheus' text format, written by hand: two counters do not need
 * a client library. A Prometheus-sourced deploy check reads them as, e.g.,
 * `sum(rate(demo_checkout_errors_total[$interval])) / sum(rate(demo_checkout_requests_total[$interval]))`.
 */
export function renderMetrics(totals: CountsByPath): string {
  const counter = (name: string, help: string, value: (path: (typeof checkoutPathList)[number]) => number) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} counter`,
    ...checkoutPathList.map((path) => `${name}{path="${path}"} ${value(path)}`),
  ];
  return [
    ...counter(
      "demo_checkout_requests_total",
      "Checkouts served, by code path (new: the flag is on for the user; old: it is off).",
      (path) => totals[path].requests,
    ),
    ...counter("demo_checkout_errors_total", "Checkouts that failed, by code path.", (path) => totals[path].errors),
    "",
  ].join("\n");
}
