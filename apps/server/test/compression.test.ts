import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SseReader } from "../../../test/support/sse-client";
import { backends, startTestServer, type TestServer } from "./harness";

const decoders = { br: brotliDecompressSync, gzip: gunzipSync } as const;

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`response compression on ${backend.name}`, () => {
    let server: TestServer;
    let sdk: string;
    let client: string;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      sdk = await server.token("server", "production");
      client = await server.token("client", "production");
      // Enough flags for every answer to pass the 1 KB threshold.
      for (let index = 0; index < 30; index++) {
        await server.request("POST", "/api/flags", { body: { key: `flag-${String(index).padStart(2, "0")}`, variations: ["a", "b"] } });
      }
    });
    afterAll(() => server?.close());

    const fetchRaw = (path: string, token: string, headers: Record<string, string>, body?: unknown) =>
      server.app.request(path, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    const endpoints = [
      { name: "GET /api/sdk/flags", path: "/api/sdk/flags", token: () => sdk, body: undefined },
      { name: "POST /api/client/evaluate", path: "/api/client/evaluate", token: () => client, body: { context: { key: "u1" } } },
      {
        name: "POST /ofrep/v1/evaluate/flags",
        path: "/ofrep/v1/evaluate/flags",
        token: () => client,
        body: { context: { targetingKey: "u1" } },
      },
    ];

    for (const endpoint of endpoints) {
      it(`${endpoint.name}: br and gzip decompress to the plain answer, with Vary and a weak ETag`, async () => {
        const plain = await fetchRaw(endpoint.path, endpoint.token(), {}, endpoint.body);
        expect(plain.status).toBe(200);
        expect(plain.headers.get("content-encoding")).toBeNull();
        expect(plain.headers.get("vary")).toMatch(/Accept-Encoding/);
        const plainText = await plain.text();
        expect(plainText.length).toBeGreaterThan(1_024);
        for (const encoding of ["br", "gzip"] as const) {
          const res = await fetchRaw(endpoint.path, endpoint.token(), { "accept-encoding": `${encoding}, identity` }, endpoint.body);
          expect(res.status).toBe(200);
          expect(res.headers.get("content-encoding")).toBe(encoding);
          expect(res.headers.get("vary")).toMatch(/Accept-Encoding/);
          expect(res.headers.get("content-type")).toMatch(/^application\/json/);
          const bytes = Buffer.from(await res.arrayBuffer());
          expect(res.headers.get("content-length")).toBe(String(bytes.byteLength));
          expect(bytes.byteLength).toBeLessThan(plainText.length / 3);
          expect(JSON.parse(decoders[encoding](bytes).toString("utf8"))).toEqual(JSON.parse(plainText));
          const plainEtag = plain.headers.get("etag");
          if (plainEtag !== null) expect(res.headers.get("etag")).toBe(plainEtag.startsWith("W/") ? plainEtag : `W/${plainEtag}`);
          else expect(res.headers.get("etag")).toBeNull();
        }
      });
    }

    it("answers 304 to the weak ETag of a compressed answer, with Vary", async () => {
      for (const endpoint of endpoints.filter((e) => e.path !== "/api/client/evaluate")) {
        const first = await fetchRaw(endpoint.path, endpoint.token(), { "accept-encoding": "br" }, endpoint.body);
        const etag = first.headers.get("etag") ?? "";
        expect(etag).toMatch(/^W\//);
        const again = await fetchRaw(endpoint.path, endpoint.token(), { "accept-encoding": "br", "if-none-match": etag }, endpoint.body);
        expect(again.status, endpoint.name).toBe(304);
        expect(await again.text()).toBe("");
        expect(again.headers.get("etag")).toBe(etag);
        expect(again.headers.get("vary")).toMatch(/Accept-Encoding/);
        const plain = await fetchRaw(endpoint.path, endpoint.token(), { "if-none-match": etag }, endpoint.body);
        expect(plain.status, endpoint.name).toBe(304);
      }
    });

    it("leaves small answers and refused encodings alone", async () => {
      const small = await fetchRaw(
        "/ofrep/v1/evaluate/flags/flag-00",
        client,
        { "accept-encoding": "br, gzip" },
        { context: { targetingKey: "u1" } },
      );
      expect(small.status).toBe(200);
      expect(small.headers.get("content-encoding")).toBeNull();
      expect(await small.json()).toMatchObject({ key: "flag-00", value: "a" });
      const refused = await fetchRaw("/api/sdk/flags", sdk, { "accept-encoding": "br;q=0, gzip;q=0" });
      expect(refused.headers.get("content-encoding")).toBeNull();
      expect(await refused.json()).toMatchObject({ flags: expect.arrayContaining([expect.objectContaining({ key: "flag-29" })]) });
    });

    it("never compresses a stream", async () => {
      const res = await fetchRaw("/api/sdk/stream", sdk, { "accept-encoding": "br, gzip" });
      const stream = new SseReader(res);
      try {
        expect(res.headers.get("content-type")).toBe("text/event-stream");
        expect(res.headers.get("content-encoding")).toBeNull();
        const [put] = await stream.waitFor(1);
        expect(put?.event).toBe("put");
        expect(stream.json(0).flags).toHaveLength(30);
      } finally {
        await stream.close();
      }
    });
  });
}
