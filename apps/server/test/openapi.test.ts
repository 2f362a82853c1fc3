import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";

/** Hono's route table as OpenAPI paths: `/api/flags/:key` → `/api/flags/{key}`, middleware left out. */
function routesOf(server: TestServer): string[] {
  const routes = new Set<string>();
  for (const route of server.app.routes) {
    if (route.method === "ALL" || route.method === "OPTIONS") continue;
    const path = route.path.replace(/:(\w+)/g, "{$1}").replace(/\/$/, "") || "/";
    routes.add(`${route.method.toLowerCase()} ${path}`);
  }
  return [...routes].sort();
}

describe("the OpenAPI document", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("embedded");
  });
  afterAll(() => server?.close());

  it("describes exactly the routes the app has", async () => {
    const res = await server.request("GET", "/openapi.json", { token: null });
    expect(res.status).toBe(200);
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`))
      .sort();
    expect(documented).toEqual(routesOf(server));
  });

  it("takes request schemas from the validators", async () => {
    const { body } = await server.request("GET", "/openapi.json", { token: null });
    expect(body.openapi).toBe("3.1.0");
    const createFlag = body.paths["/api/flags"].post;
    expect(createFlag.requestBody.content["application/json"].schema).toMatchObject({
      type: "object",
      required: ["key"],
      properties: { key: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]{0,99}$" } },
      additionalProperties: false,
    });
    expect(createFlag["x-token-kinds"]).toEqual(["admin"]);
    const audit = body.paths["/api/audit"].get;
    expect(audit.parameters.map((p: { name: string }) => p.name)).toEqual(["flag", "environment", "limit", "cursor"]);
    expect(
      body.paths["/api/flags/{key}/environments/{env}"].put.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`),
    ).toEqual(["path:key", "path:env", "query:dryRun"]);
  });

  it("is browsable at /docs", async () => {
    const res = await server.request("GET", "/docs", { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.body).toContain("<code>/api/deploys/{id}/restore-flags</code>");
  });
});
