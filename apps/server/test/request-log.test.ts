import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";

/** What an operator reads: the server's JSON log lines at `info`. */
describe("request log", () => {
  const lines: Array<Record<string, unknown>> = [];
  let server: TestServer;
  let sdkToken: string;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n")) if (line !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    server = await startTestServer("embedded", { logger: pino({ level: "info" }, sink) });
    sdkToken = await server.token("server", "production");
  });
  afterAll(() => server?.close());

  const requests = () => lines.filter((l) => l.msg === "request").map((l) => `${String(l.method)} ${String(l.path)} ${String(l.status)}`);

  it("logs admin requests, and SDK traffic only when it fails, never with a token", async () => {
    lines.length = 0;
    await server.request("GET", "/api/flags");
    await server.request("GET", "/api/sdk/flags", { token: sdkToken });
    await server.request("POST", "/api/sdk/metrics", { token: sdkToken, body: { instanceId: "i-1", sdk: "test", events: [] } });
    await server.request("GET", "/healthz", { token: null });
    await server.request("GET", "/api/sdk/flags", { token: "sy_srv_not_a_real_token_000000" });
    await new Promise((r) => setImmediate(r));
    expect(requests()).toEqual(["GET /api/flags 200", "GET /api/sdk/flags 401"]);
    expect(JSON.stringify(lines)).not.toContain(sdkToken);
    expect(JSON.stringify(lines)).not.toContain(server.adminToken);
  });
});
