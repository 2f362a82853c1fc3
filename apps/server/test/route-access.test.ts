import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Operation, operations } from "../src/openapi/operations";
import { backends, startTestServer, type TestServer } from "./harness";

/** Every token a caller can hold, as the contract names them: this environment's, another's, deleted, none. */
type Caller =
  | { name: string; kind: "admin" | "ci"; environment: null }
  | { name: string; kind: "server" | "client" | "deploy" | "relay"; environment: "production" | "staging" }
  | { name: "deleted" | "none"; kind: null; environment: null };

const callers: Caller[] = [
  { name: "admin", kind: "admin", environment: null },
  { name: "ci", kind: "ci", environment: null },
  ...(["server", "client", "deploy", "relay"] as const).flatMap((kind) => [
    { name: `${kind} of production`, kind, environment: "production" as const },
    { name: `${kind} of staging`, kind, environment: "staging" as const },
  ]),
  { name: "deleted", kind: null, environment: null },
  { name: "none", kind: null, environment: null },
];

/** The status class the route table promises: 401, 403, or admitted (anything else below 500). */
function promised(operation: Operation, caller: Caller): 401 | 403 | "admitted" {
  if (caller.kind === null) return 401;
  if (!operation.tokens.includes(caller.kind)) return 403;
  // A `{env}` in the path must be a non-admin token's own; every path here names production.
  if (operation.scope === "path" && caller.environment !== null && caller.environment !== "production") return 403;
  return "admitted";
}

/**
 * A request to the operation's path with every parameter filled. Deletes name things that do
 * not exist, so walking the table destroys nothing the other requests rely on.
 */
function pathOf(operation: Operation): string {
  const destructive = operation.method === "delete";
  const values: Record<string, string> = {
    env: destructive ? "no-such-environment" : "production",
    key: destructive ? "no-such-flag" : "walked-flag",
    id: "nothing_1",
    n: "1",
  };
  return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "x");
}

/** Where `{}` would be refused for what it asks rather than for who asks: a deploy token may send exactly this. */
const bodies: Record<string, string> = { "patch /api/flags/{key}/environments/{env}": '{"enabled":false}' };

const authenticated = operations.filter((operation) => operation.tokens.length > 0);

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`the route table × every token kind on ${backend.name}`, () => {
    let server: TestServer;
    const secrets = new Map<string, string>();

    beforeAll(async () => {
      server = await startTestServer(backend.name);
      await server.request("POST", "/api/flags", { body: { key: "walked-flag" } });
      secrets.set("admin", server.adminToken);
      secrets.set("ci", (await server.request("POST", "/api/tokens", { body: { name: "checks", kind: "ci" } })).body.token);
      for (const caller of callers) {
        if (caller.environment !== null) secrets.set(caller.name, await server.token(caller.kind, caller.environment));
      }
      const doomed = await server.request("POST", "/api/tokens", { body: { name: "doomed", kind: "server", environment: "production" } });
      expect((await server.request("DELETE", `/api/tokens/${doomed.body.id}`)).status).toBe(200);
      secrets.set("deleted", doomed.body.token);
    });
    afterAll(() => server?.close());

    it("declares every route the server answers with its token kinds", () => {
      expect(authenticated.length).toBeGreaterThan(40);
      for (const operation of operations) {
        if (operation.path.startsWith("/api/") || operation.path.startsWith("/ofrep/")) expect(operation.tokens.length).toBeGreaterThan(0);
      }
    });

    it.each(authenticated.map((operation) => ({ operation, route: `${operation.method.toUpperCase()} ${operation.path}` })))(
      "$route answers each caller as the table promises",
      async ({ operation }) => {
        const answers: Array<{ caller: string; status: number | string }> = [];
        const expected: Array<{ caller: string; status: number | string }> = [];
        for (const caller of callers) {
          const secret = secrets.get(caller.name);
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (secret !== undefined) headers.authorization = `Bearer ${secret}`;
          const method = operation.method.toUpperCase();
          const res = await server.app.request(pathOf(operation), {
            method,
            headers,
            ...(method === "GET" || method === "DELETE" ? {} : { body: bodies[`${operation.method} ${operation.path}`] ?? "{}" }),
          });
          // Streams that were admitted stay open: their status is all this test reads.
          await res.body?.cancel();
          const promise = promised(operation, caller);
          expected.push({ caller: caller.name, status: promise === "admitted" ? "admitted" : promise });
          const admitted = res.status !== 401 && res.status !== 403 && res.status < 500;
          answers.push({ caller: caller.name, status: promise === "admitted" && admitted ? "admitted" : res.status });
        }
        expect(answers).toEqual(expected);
      },
    );

    it("answers a path the table does not declare with 404 whatever the token", async () => {
      for (const path of ["/api/flags/walked-flag/secrets", "/api/internal", "/ofrep/v2/evaluate/flags"]) {
        const res = await server.request("GET", path);
        expect({ path, status: res.status, code: res.body.error.code }).toEqual({ path, status: 404, code: "NOT_FOUND" });
      }
    });
  });
}
