import { describe, expect, it } from "vitest";
import type { CheckoutResult } from "./checkout";
import { demoStatus } from "./demo-status";
import type { FailureMode } from "./failure-model";
import { handle, type RouteDeps } from "./routes";

const nothing = { new: { requests: 0, errors: 0 }, old: { requests: 0, errors: 0 } };

function demo(checkoutOk = true) {
  let mode: FailureMode = "healthy";
  const checkouts: string[] = [];
  const deps: RouteDeps = {
    status: () =>
      demoStatus({
        mode,
        flag: "new-checkout",
        requestsPerSecond: 50,
        track: true,
        totals: nothing,
        recent: { seconds: 2, counts: nothing, newShare: null },
        configVersion: 7,
        dataAgeMs: 5,
      }),
    metrics: () => "demo_checkout_requests_total 1\n",
    checkout: (user): CheckoutResult => {
      checkouts.push(user);
      return { user, path: "new", ok: checkoutOk };
    },
    mode: () => mode,
    setMode: (next) => (mode = next),
  };
  return { deps, checkouts, mode: () => mode };
}

const body = (text: string): unknown => JSON.parse(text);

describe("the demo's HTTP API", () => {
  it("switches the failure mode with POSTs and says what the mode does", () => {
    const app = demo();
    const broken = handle({ method: "POST", url: "/break/flagged" }, app.deps);
    expect(broken.status).toBe(200);
    expect(body(broken.body)).toEqual({
      mode: "flagged",
      description: "flagged: the new checkout path fails 20% of requests, the old path 0.5%",
    });
    expect(app.mode()).toBe("flagged");
    expect(handle({ method: "POST", url: "/break/everything/" }, app.deps).status).toBe(200);
    expect(app.mode()).toBe("everything");
    expect(body(handle({ method: "POST", url: "/repair" }, app.deps).body)).toEqual({
      mode: "healthy",
      description: "healthy: both checkout paths fail 0.5% of requests",
    });
    expect(app.mode()).toBe("healthy");
  });

  it("refuses unknown modes and GETs of the switches, listing the endpoints", () => {
    const app = demo();
    const unknown = handle({ method: "POST", url: "/break/healthy" }, app.deps);
    expect(unknown.status).toBe(404);
    expect(body(unknown.body)).toMatchObject({
      error: { code: "NOT_FOUND", message: "There is no failure mode 'healthy'; use /break/flagged or /break/everything" },
    });
    const get = handle({ method: "GET", url: "/break/flagged" }, app.deps);
    expect(get.status).toBe(405);
    expect(body(get.body)).toMatchObject({
      error: {
        code: "METHOD_NOT_ALLOWED",
        message: "Use POST: curl -X POST …/break/flagged",
        details: { endpoints: expect.arrayContaining([expect.stringMatching(/^POST \/repair/)]) },
      },
    });
    expect(handle({ method: "GET", url: "/nope" }, app.deps)).toMatchObject({ status: 404, contentType: "application/json" });
    expect(app.mode()).toBe("healthy");
  });

  it("serves the status as JSON and the counters as Prometheus text", () => {
    const app = demo();
    const status = handle({ method: "GET", url: "/" }, app.deps);
    expect(status).toMatchObject({ status: 200, contentType: "application/json" });
    expect(body(status.body)).toEqual(app.deps.status());
    expect(handle({ method: "GET", url: "/metrics" }, app.deps)).toEqual({
      status: 200,
      contentType: "text/plain; version=0.0.4; charset=utf-8",
      body: "demo_checkout_requests_total 1\n",
    });
  });

  it("checks out the user asked for, or a random one, and answers 500 when the checkout fails", () => {
    const ok = demo();
    expect(body(handle({ method: "GET", url: "/checkout?user=user-42" }, ok.deps).body)).toEqual({
      user: "user-42",
      path: "new",
      ok: true,
    });
    handle({ method: "GET", url: "/checkout" }, ok.deps);
    expect(ok.checkouts).toEqual(["user-42", expect.stringMatching(/^user-\d+$/)]);
    const failing = demo(false);
    failing.deps.setMode("flagged");
    const failed = handle({ method: "GET", url: "/checkout?user=user-42" }, failing.deps);
    expect(failed.status).toBe(500);
    expect(body(failed.body)).toEqual({ user: "user-42", path: "new", ok: false, error: "checkout failed on the new path (mode flagged)" });
  });
});
