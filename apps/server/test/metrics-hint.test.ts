import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";
import { eventually } from "../../../test/support/eventually";
import { SseReader } from "../../../test/support/sse-client";

const ENV = "production";
const receipt = { accepted: { evaluations: 0, events: 0 }, ignored: { evaluations: 0, events: 0 } };

/** While a deploy observes an environment, its SDKs are asked to report every second. */
for (const backend of backends()) {
  describe.skipIf(backend.skip)(`metrics cadence hint on ${backend.name}`, () => {
    let server: TestServer;
    let sdkToken: string;
    let stagingSdkToken: string;
    let deployToken: string;
    const open: SseReader[] = [];
    const sdkStream = async (token = sdkToken) => {
      const stream = new SseReader(await server.app.request("/api/sdk/stream", { headers: { authorization: `Bearer ${token}` } }));
      open.push(stream);
      await stream.waitFor(1);
      return stream;
    };
    const report = async (token = sdkToken) => {
      const res = await server.request("POST", "/api/sdk/metrics", { token, body: { instanceId: "app-1", version: 1 } });
      expect(res.status).toBe(202);
      return res.body;
    };
    const metricsEvents = (stream: SseReader) => stream.messages.filter((m) => m.event === "metrics");

    beforeAll(async () => {
      server = await startTestServer(backend.name, { deployWorker: { tickMs: 100 } });
      await server.request("POST", "/api/flags", { body: { key: "new-checkout" } });
      sdkToken = await server.token("server", ENV);
      stagingSdkToken = await server.token("server", "staging");
      deployToken = await server.token("deploy", ENV);
    });
    afterAll(async () => {
      await Promise.all(open.map((s) => s.close()));
      await server?.close();
    });

    it("asks the environment's SDKs for reportAfterMs 1000 while a deploy observes it, on the stream and in metrics responses, and withdraws it when the deploy is decided", async () => {
      const before = await sdkStream();
      const staging = await sdkStream(stagingSdkToken);
      expect(await report()).toEqual(receipt);

      const created = await server.request("POST", "/api/deploys", {
        token: deployToken,
        body: {
          service: "checkout",
          version: "1.4.2",
          environment: ENV,
          flags: ["new-checkout"],
          guard: { windowSeconds: 3, intervalSeconds: 1, checks: [{ signal: "error_rate", max: 0.02 }], onBreach: "decide-only" },
        },
      });
      expect(created.status).toBe(201);

      await before.waitUntil(() => metricsEvents(before).length === 1, 5_000);
      // No id: a hint is not a change an SDK could resume from.
      expect(metricsEvents(before)).toEqual([{ event: "metrics", id: undefined, data: '{"reportAfterMs":1000}' }]);
      expect(
        await eventually(
          () => report(),
          (body) => body.reportAfterMs !== undefined,
          3_000,
        ),
      ).toEqual({ ...receipt, reportAfterMs: 1_000 });
      expect(await report(stagingSdkToken)).toEqual(receipt);

      // A stream opened during the deploy is told right after its put.
      const during = await sdkStream();
      const [put, hint] = await during.waitFor(2);
      expect([put?.event, hint?.event, hint?.data]).toEqual(["put", "metrics", '{"reportAfterMs":1000}']);

      await eventually(
        () => server.request("GET", `/api/deploys/${created.body.id}`, { token: deployToken }),
        (res) => res.body.final === true,
      );
      await before.waitUntil(() => metricsEvents(before).length === 2, 5_000);
      expect(metricsEvents(before).map((m) => m.data)).toEqual(['{"reportAfterMs":1000}', "{}"]);
      await during.waitUntil(() => metricsEvents(during).length === 2, 5_000);
      expect(
        await eventually(
          () => report(),
          (body) => body.reportAfterMs === undefined,
          3_000,
        ),
      ).toEqual(receipt);
      // Other environments were never asked.
      expect(metricsEvents(staging)).toEqual([]);
    });
  });
}
