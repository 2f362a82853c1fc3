import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SseReader } from "../../../test/support/sse-client";
import { backends, startTestServer, type TestServer } from "./harness";

/* OFREP change notification: the event stream a bulk answer advertises to client tokens. */
for (const backend of backends()) {
  describe.skipIf(backend.skip)(`OFREP event stream on ${backend.name}`, () => {
    let server: TestServer;
    let client: string;
    const open: SseReader[] = [];
    const connect = async (query: string) => {
      const reader = new SseReader(await server.app.request(`/ofrep/v1/events${query}`));
      open.push(reader);
      return reader;
    };
    const refetchSeq = (reader: SseReader, index: number) => {
      const message = reader.messages[index];
      expect(message?.event).toBe("message");
      const data = JSON.parse(message?.data ?? "{}");
      expect(data).toEqual({ type: "refetchEvaluation", etag: expect.stringMatching(/^.+-\d+$/) });
      return Number(/-(\d+)$/.exec(data.etag)?.[1]);
    };

    beforeAll(async () => {
      server = await startTestServer(backend.name);
      await server.request("POST", "/api/flags", { body: { key: "banner" } });
      client = await server.token("client", "production");
    });
    afterAll(async () => {
      await Promise.all(open.map((reader) => reader.close()));
      await server?.close();
    });

    it("asks for a refetch on connect and after each change to its environment, never for another's", async () => {
      const stream = await connect(`?token=${client}`);
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get("content-type")).toBe("text/event-stream");
      expect(stream.response.headers.get("access-control-allow-origin")).toBe("*");
      await stream.waitFor(1);
      const connectedAt = refetchSeq(stream, 0);

      await server.request("PATCH", "/api/flags/banner/environments/staging", { body: { enabled: true } });
      const production = await server.request("PATCH", "/api/flags/banner/environments/production", { body: { enabled: true } });
      expect(production.status).toBe(200);
      await stream.waitFor(2);
      const changedAt = refetchSeq(stream, 1);
      expect(changedAt).toBeGreaterThan(connectedAt + 1); // the staging change (connectedAt + 1) sent nothing
      expect(stream.messages).toHaveLength(2);
    });

    it("refuses what is not a client token, and ends when the token is deleted", async () => {
      const none = await server.app.request("/ofrep/v1/events");
      expect(none.status).toBe(401);
      const sdk = await server.token("server", "production");
      const wrong = await server.app.request(`/ofrep/v1/events?token=${sdk}`);
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toEqual({
        error: { code: "FORBIDDEN", message: "This endpoint needs a client token; 'server test token' is a server token" },
      });

      const doomed = await server.request("POST", "/api/tokens", { body: { name: "doomed", kind: "client", environment: "production" } });
      const stream = await connect(`?token=${doomed.body.token}`);
      await stream.waitFor(1);
      expect((await server.request("DELETE", `/api/tokens/${doomed.body.id}`)).status).toBe(200);
      await expect.poll(() => stream.ended, { timeout: 5_000 }).toBe(true);
    });

    it("answers a bulk evaluation whatever change its flagConfigEtag names", async () => {
      const ahead = `${server.live.epoch}-${server.live.appliedSeq + 1_000}`;
      for (const flagConfigEtag of ["another-history-999999", ahead, "not a change"]) {
        const res = await server.request("POST", `/ofrep/v1/evaluate/flags?flagConfigEtag=${encodeURIComponent(flagConfigEtag)}`, {
          token: client,
          body: { context: { targetingKey: "u1" } },
        });
        expect(res.status).toBe(200);
        expect(res.body.flags).toEqual([{ key: "banner", value: true, reason: "STATIC", variant: "on", metadata: {} }]);
      }
    });
  });
}
