import type { CheckoutResult } from "./checkout";
import type { DemoStatus } from "./demo-status";
import { FailureModes, describeMode, isFailureMode, type FailureMode } from "./failure-model";
import { METRICS_CONTENT_TYPE } from "./metrics-text";
import { randomUser } from "./traffic";

export interface DemoRequest {
  method: string;
  /** Path and query, as in an HTTP request line. */
  url: string;
}

export interface DemoResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface RouteDeps {
  status(): DemoStatus;
  metrics(): string;
  checkout(user: string): CheckoutResult;
  mode(): FailureMode;
  setMode(mode: FailureMode): void;
}

const ENDPOINTS = [
  "GET /                   status (JSON)",
  "GET /metrics            Prometheus counters",
  "GET /checkout?user=KEY  one checkout for that user: 200, or 500 when it fails",
  "POST /break/flagged     the new checkout path fails",
  "POST /break/everything  both paths fail",
  "POST /repair            back to healthy",
];

const json = (status: number, body: unknown): DemoResponse => ({
  status,
  contentType: "application/json",
  body: `${JSON.stringify(body, null, 2)}\n`,
});
const problem = (status: number, code: string, message: string) =>
  json(status, { error: { code, message, details: { endpoints: ENDPOINTS } } });

/**
 * The demo's HTTP API as a function of the request, so it is tested without a port. The
 * failure switches are POSTs: a browser prefetching a link must not break the service.
 */
export function handle(request: DemoRequest, deps: RouteDeps): DemoResponse {
  const url = new URL(request.url, "http://demo.invalid");
  const route = `${request.method} ${url.pathname.replace(/\/+$/, "") || "/"}`;
  const breakMode = /^POST \/break\/([^/]+)$/.exec(route)?.[1];
  if (breakMode !== undefined) {
    if (!isFailureMode(breakMode) || breakMode === FailureModes.healthy) {
      return problem(404, "NOT_FOUND", `There is no failure mode '${breakMode}'; use /break/flagged or /break/everything`);
    }
    deps.setMode(breakMode);
    return json(200, { mode: breakMode, description: describeMode(breakMode) });
  }
  switch (route) {
    case "GET /":
      return json(200, deps.status());
    case "GET /metrics":
      return { status: 200, contentType: METRICS_CONTENT_TYPE, body: deps.metrics() };
    case "GET /checkout": {
      const result = deps.checkout(url.searchParams.get("user") || randomUser());
      return json(
        result.ok ? 200 : 500,
        result.ok ? result : { ...result, error: `checkout failed on the ${result.path} path (mode ${deps.mode()})` },
      );
    }
    case "POST /repair":
      deps.setMode(FailureModes.healthy);
      return json(200, { mode: FailureModes.healthy, description: describeMode(FailureModes.healthy) });
  }
  if (/^GET \/(break\/[^/]+|repair)$/.test(route)) return problem(405, "METHOD_NOT_ALLOWED", `Use POST: curl -X POST …${url.pathname}`);
  return problem(404, "NOT_FOUND", `No route ${route}`);
}
