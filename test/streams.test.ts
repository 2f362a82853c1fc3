import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SseReader } from "./support/sse-client";
import { startServerProcess, type ServerProcess } from "./support/server-process";

const ADMIN = "sy_admin_e2e_streams_token_00001";
const admin = { authorization: `Bearer ${ADMIN}` };

/** The SSE endpoints of the real server process (Node's response path, not app.request's). */
describe("streams on the server process", () => {
  let server: ServerProcess;
  let dataDir: string;
  let sdkToken: string;
  let clientToken: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: admin,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-e2e-streams-"));
    server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false" });
    await call("POST", "/api/flags", { key: "streamed" });
    sdkToken = String((await call("POST", "/api/tokens", { name: "sdk", kind: "server", environment: "production" })).token);
    clientToken = String((await call("POST", "/api/tokens", { name: "web", kind: "client", environment: "production" })).token);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("SDK stream: put, then a patch when the flag is toggled", async () => {
    const stream = new SseReader(await fetch(`${server.url}/api/sdk/stream`, { headers: { authorization: `Bearer ${sdkToken}` } }));
    try {
      expect(stream.response.headers.get("content-type")).toBe("text/event-stream");
      await stream.waitFor(1);
      expect(stream.messages[0]?.event).toBe("put");
      await call("PATCH", "/api/flags/streamed/environments/production", { enabled: true });
      await stream.waitFor(2);
      expect(stream.messages[1]?.event).toBe("patch");
      expect(stream.json(1).flag).toMatchObject({ key: "streamed", enabled: true });
    } finally {
      await stream.close();
    }
  });

  it("client stream: CORS for browsers on other origins, values then changes", async () => {
    const context = Buffer.from(JSON.stringify({ key: "user-9" })).toString("base64url");
    const res = await fetch(`${server.url}/api/client/stream?context=${context}&token=${clientToken}`, {
      headers: { origin: "https://shop.example" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const stream = new SseReader(res);
    try {
      await stream.waitFor(1);
      const initial = stream.json(0).flags.streamed.value;
      await call("PATCH", "/api/flags/streamed/environments/production", { enabled: !initial });
      await stream.waitFor(2);
      expect(stream.json(1)).toEqual({ flags: { streamed: expect.objectContaining({ value: !initial }) }, deleted: [] });
    } finally {
      await stream.close();
    }
  });

  it("shuts down promptly with streams open, and SDK streams see the end", async () => {
    const other = await startServerProcess({
      SWITCHYARD_DATA_DIR: mkdtempSync(join(tmpdir(), "switchyard-e2e-stop-")),
      SWITCHYARD_ADMIN_TOKEN: ADMIN,
    });
    const token = String(
      (
        (await (
          await fetch(`${other.url}/api/tokens`, {
            method: "POST",
            headers: admin,
            body: JSON.stringify({ name: "s", kind: "server", environment: "production" }),
          })
        ).json()) as { token: string }
      ).token,
    );
    const stream = new SseReader(await fetch(`${other.url}/api/sdk/stream`, { headers: { authorization: `Bearer ${token}` } }));
    await stream.waitFor(1);
    const started = Date.now();
    expect(await other.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    await stream.waitUntil(() => stream.ended, 2_000);
  });
});
