import { describe, expect, it } from "vitest";
import { deployPath, flagPath, parseRoute } from "./router";

describe("the console's routes", () => {
  it("reads each page from its path, the ones the server falls back to index.html for", () => {
    expect(parseRoute("/")).toEqual({ page: "flags" });
    expect(parseRoute("/flags")).toEqual({ page: "flags" });
    expect(parseRoute("/flags/new-checkout/production")).toEqual({ page: "flag", flag: "new-checkout", environment: "production" });
    expect(parseRoute("/deploys")).toEqual({ page: "deploys" });
    expect(parseRoute("/deploys/dep_1")).toEqual({ page: "deploy", id: "dep_1" });
    for (const page of ["stale", "segments", "environments", "tokens", "audit"]) expect(parseRoute(`/${page}/`)).toEqual({ page });
  });

  it("round-trips keys that need encoding", () => {
    expect(parseRoute(flagPath("a.b_c", "prod eu"))).toEqual({ page: "flag", flag: "a.b_c", environment: "prod eu" });
    expect(parseRoute(deployPath("dep/1"))).toEqual({ page: "deploy", id: "dep/1" });
  });

  it("says not found for anything else", () => {
    expect(parseRoute("/flags/only-a-key")).toEqual({ page: "not-found", path: "/flags/only-a-key" });
    expect(parseRoute("/tokens/extra")).toEqual({ page: "not-found", path: "/tokens/extra" });
    expect(parseRoute("/nothing")).toEqual({ page: "not-found", path: "/nothing" });
  });
});
