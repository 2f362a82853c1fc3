import { describe, expect, it } from "vitest";
import { parseConfig, type DemoConfig } from "./config";
import { deleteCreatedToken, serverToken } from "./server-token";

function configFor(token: string, env: Record<string, string> = {}): DemoConfig {
  const parsed = parseConfig({ SWITCHYARD_URL: "http://switchyard.test", SWITCHYARD_TOKEN: token, ...env });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.config;
}

/** A server answering `routes` ("METHOD /path" → status and JSON body), recording each request. */
function fakeServer(routes: Record<string, { status: number; body: unknown }>) {
  const requests: Array<{ route: string; authorization: string | null; body: unknown }> = [];
  const fetch = async (url: string, init: RequestInit) => {
    const route = `${init.method ?? "GET"} ${new URL(url).pathname}`;
    requests.push({
      route,
      authorization: new Headers(init.headers).get("authorization"),
      body: typeof init.body === "string" ? JSON.parse(init.body) : null,
    });
    const answer = routes[route] ?? { status: 404, body: { error: { code: "NOT_FOUND", message: `No route ${route}` } } };
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  };
  return { fetch, requests };
}

const healthy = { "GET /healthz": { status: 200, body: { status: "ok" } } };

describe("serverToken", () => {
  it("uses a server token as it is", async () => {
    const server = fakeServer(healthy);
    expect(await serverToken(configFor("sy_server_abcdefghijklmnop"), server.fetch)).toEqual({
      token: "sy_server_abcdefghijklmnop",
      created: null,
    });
    expect(server.requests.map((r) => r.route)).toEqual(["GET /healthz"]);
  });

  it("creates a server token for DEMO_ENV with an admin token, and deletes it at the end", async () => {
    const server = fakeServer({
      ...healthy,
      "POST /api/tokens": {
        status: 201,
        body: { id: "tok_1", name: "demo-checkout", kind: "server", environment: "staging", token: "sy_server_created" },
      },
      "DELETE /api/tokens/tok_1": { status: 200, body: { id: "tok_1" } },
    });
    const config = configFor("sy_admin_abcdefghijklmnop", { DEMO_ENV: "staging" });
    const token = await serverToken(config, server.fetch);
    expect(token).toEqual({ token: "sy_server_created", created: { id: "tok_1", name: "demo-checkout", environment: "staging" } });
    expect(server.requests[1]).toEqual({
      route: "POST /api/tokens",
      authorization: "Bearer sy_admin_abcdefghijklmnop",
      body: { name: "demo-checkout", kind: "server", environment: "staging" },
    });
    expect(await deleteCreatedToken(config, token, server.fetch)).toBe("Deleted the server token demo-checkout (tok_1) it created.");
  });

  it("asks the server what a token without a known prefix is", async () => {
    const admin = fakeServer({
      ...healthy,
      "GET /api/environments": { status: 200, body: { environments: [] } },
      "POST /api/tokens": { status: 201, body: { id: "tok_2", token: "sy_server_x" } },
    });
    expect(await serverToken(configFor("my-own-admin-secret-1234"), admin.fetch)).toMatchObject({ token: "sy_server_x" });
    const server = fakeServer({
      ...healthy,
      "GET /api/environments": { status: 403, body: { error: { code: "FORBIDDEN", message: "admin only" } } },
    });
    expect(await serverToken(configFor("my-own-server-secret-1234"), server.fetch)).toEqual({
      token: "my-own-server-secret-1234",
      created: null,
    });
  });

  it("says what to do when the server is unreachable, or refuses the token or the environment", async () => {
    const down = async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:4242") });
    };
    await expect(serverToken(configFor("sy_admin_abcdefghijklmnop"), down)).rejects.toThrow(
      "Cannot reach Switchyard at http://switchyard.test (connect ECONNREFUSED 127.0.0.1:4242). Is the server running? Start it with `npx -y pnpm@10.34.8 start`, or set SWITCHYARD_URL.",
    );
    const unknown = fakeServer({
      ...healthy,
      "POST /api/tokens": { status: 401, body: { error: { code: "UNAUTHORIZED", message: "The API token is unknown or was deleted" } } },
    });
    await expect(serverToken(configFor("sy_admin_abcdefghijklmnop"), unknown.fetch)).rejects.toThrow(
      "Switchyard rejected SWITCHYARD_TOKEN (401 UNAUTHORIZED: The API token is unknown or was deleted). Use the admin token the server printed at its first start.",
    );
    const noEnv = fakeServer({
      ...healthy,
      "POST /api/tokens": { status: 400, body: { error: { code: "VALIDATION_FAILED", message: "Environment 'nope' does not exist" } } },
    });
    await expect(serverToken(configFor("sy_admin_abcdefghijklmnop", { DEMO_ENV: "nope" }), noEnv.fetch)).rejects.toThrow(
      "Could not create a server token for 'nope' (DEMO_ENV): POST /api/tokens answered 400 VALIDATION_FAILED: Environment 'nope' does not exist",
    );
  });
});
