import { describe, expect, it } from "vitest";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./metrics-text";

describe("renderMetrics", () => {
  it("writes both counters per path in Prometheus' text format, ending with a newline", () => {
    expect(renderMetrics({ new: { requests: 125, errors: 25 }, old: { requests: 375, errors: 2 } })).toBe(
      [
        "# HELP demo_checkout_requests_total Checkouts served, by code path (new: the flag is on for the user; old: it is off).",
        "# TYPE demo_checkout_requests_total counter",
        'demo_checkout_requests_total{path="new"} 125',
        'demo_checkout_requests_total{path="old"} 375',
        "# HELP demo_checkout_errors_total Checkouts that failed, by code path.",
        "# TYPE demo_checkout_errors_total counter",
        'demo_checkout_errors_total{path="new"} 25',
        'demo_checkout_errors_total{path="old"} 2',
        "",
      ].join("\n"),
    );
    expect(METRICS_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8");
  });
});
