import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";
import { SseReader } from "../../../test/support/sse-client";

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`operations endpoints on ${backend.name}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
    });
    afterAll(() => server?.close());

    it("answers health and readiness without a token", async () => {
      expect(await server.request("GET", "/healthz", { token: null })).toMatchObject({ status: 200, body: { status: "ok" } });
      expect(await server.request("GET", "/readyz", { token: null })).toMatchObject({
        status: 200,
        body: { status: "ready", database: "ok" },
      });
    });

    it("exposes Prometheus gauges, counting open streams", async () => {
      const token = await server.token("server", "production");
      const stream = new SseReader(await server.app.request("/api/sdk/stream", { headers: { authorization: `Bearer ${token}` } }));
      await stream.waitFor(1);
      const res = await server.request("GET", "/metrics", { token: null });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(res.body).toContain('switchyard_open_streams{kind="sdk"} 1\n');
      expect(res.body).toContain('switchyard_open_streams{kind="client"} 0\n');
      expect(res.body).toMatch(/^switchyard_applied_change_seq \d+$/m);
      expect(res.body).toContain("# TYPE process_resident_memory_bytes gauge");
      await stream.close();
    });
  });
}
