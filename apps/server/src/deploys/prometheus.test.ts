import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { expandQuery, prometheusClient, readQueryResponse } from "./prometheus";

const vector = (...values: string[]) => ({
  status: "success",
  data: { resultType: "vector", result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1_700_000_000, v] })) },
});

describe("readQueryResponse", () => {
  it("takes a scalar or a vector of one series as the value", () => {
    expect(readQueryResponse(200, { status: "success", data: { resultType: "scalar", result: [1, "0.25"] } })).toEqual({
      kind: "value",
      value: 0.25,
    });
    expect(readQueryResponse(200, vector("0.031"))).toEqual({ kind: "value", value: 0.031 });
  });

  it("reads no traffic (NaN, ±Inf, an empty vector) as no data, not a breach", () => {
    expect(readQueryResponse(200, vector("NaN"))).toMatchObject({ kind: "no-data" });
    expect(readQueryResponse(200, vector("+Inf"))).toMatchObject({ kind: "no-data" });
    expect(readQueryResponse(200, vector())).toEqual({ kind: "no-data", reason: "the query returned no series" });
  });

  it("rejects several series and range vectors: a check needs one value", () => {
    expect(readQueryResponse(200, vector("1", "2", "3"))).toEqual({
      kind: "invalid",
      message: "the query returned 3 series; a check needs one value — aggregate it, e.g. sum(…)",
    });
    expect(readQueryResponse(200, { status: "success", data: { resultType: "matrix", result: [] } })).toMatchObject({ kind: "invalid" });
  });

  it("blames the query for bad_data and execution errors, and Prometheus for the rest", () => {
    expect(readQueryResponse(400, { status: "error", errorType: "bad_data", error: 'parse error: unexpected "(" ' })).toEqual({
      kind: "invalid",
      message: 'parse error: unexpected "(" ',
    });
    expect(readQueryResponse(422, { status: "error", errorType: "execution", error: "many-to-many matching not allowed" })).toMatchObject({
      kind: "invalid",
    });
    expect(readQueryResponse(503, { status: "error", errorType: "timeout", error: "query timed out" })).toEqual({
      kind: "unavailable",
      message: "Prometheus answered 503: query timed out",
    });
    expect(readQueryResponse(200, { status: "success", data: { resultType: "vector", result: [{ value: [1, "abc"] }] } })).toMatchObject({
      kind: "unavailable",
    });
    expect(readQueryResponse(200, "<html>")).toMatchObject({ kind: "unavailable" });
  });
});

describe("expandQuery", () => {
  it("puts the deploy's interval where the query says $interval", () => {
    expect(expandQuery("sum(rate(errors_total[$interval])) / sum(rate(requests_total[$interval]))", 30)).toBe(
      "sum(rate(errors_total[30s])) / sum(rate(requests_total[30s]))",
    );
  });
});

describe("prometheusClient", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  const listen = async (handler: (req: IncomingMessage, body: URLSearchParams) => { status: number; body: string } | null) => {
    server = createServer((req, res) => {
      let raw = "";
      req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      req.on("end", () => {
        const answer = handler(req, new URLSearchParams(raw));
        if (answer === null) return; // never answers
        res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
      });
    });
    await new Promise<void>((done) => server!.listen(0, "127.0.0.1", done));
    return (server.address() as AddressInfo).port;
  };

  it("asks /api/v1/query for the value at the given time, with basic auth from the URL", async () => {
    const seen: Array<{ path: string | undefined; query: string | null; time: string | null; auth: string | undefined }> = [];
    const port = await listen((req, body) => {
      seen.push({ path: req.url, query: body.get("query"), time: body.get("time"), auth: req.headers.authorization });
      return { status: 200, body: JSON.stringify(vector("0.5")) };
    });
    const client = prometheusClient(`http://ops:s%3Acret@127.0.0.1:${port}/prom/`);
    expect(await client.query("up", new Date("2026-11-26T10:00:00.250Z"))).toEqual({ kind: "value", value: 0.5 });
    expect(seen).toEqual([
      { path: "/prom/api/v1/query", query: "up", time: "1795687200.250", auth: `Basic ${Buffer.from("ops:s:cret").toString("base64")}` },
    ]);
    expect(client.origin).toBe(`http://127.0.0.1:${port}`);
  });

  it("stops reading an answer past 1 MB and calls the query invalid", async () => {
    let pulled = 0;
    // An endless answer: 64 KB chunks for as long as anyone reads.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new TextEncoder().encode(`${pulled === 1 ? '{"data":"' : ""}${"x".repeat(65_536)}`));
      },
    });
    const fetch = async () => new Response(endless, { status: 200, headers: { "content-type": "application/json" } });
    const client = prometheusClient("http://prometheus.example:9090", { fetch });
    expect(await client.query("up", new Date())).toEqual({
      kind: "invalid",
      message:
        "Prometheus at http://prometheus.example:9090 answered more than 1 MB; a check needs one value — aggregate the query, e.g. sum(…)",
    });
    expect(pulled).toBeLessThan(20);
  });

  it("says Prometheus is unavailable when it is down or too slow, instead of throwing", async () => {
    const port = await listen(() => null);
    expect(await prometheusClient(`http://127.0.0.1:${port}`, { timeoutMs: 100 }).query("up", new Date())).toEqual({
      kind: "unavailable",
      message: `Prometheus at http://127.0.0.1:${port} is unreachable: no answer within 100 ms`,
    });
    const vacant = createServer();
    await new Promise<void>((done) => vacant.listen(0, "127.0.0.1", done));
    const closedPort = (vacant.address() as AddressInfo).port;
    await new Promise<void>((done) => vacant.close(() => done()));
    expect(await prometheusClient(`http://127.0.0.1:${closedPort}`).query("up", new Date())).toMatchObject({
      kind: "unavailable",
      message: expect.stringMatching(new RegExp(`^Prometheus at http://127\\.0\\.0\\.1:${closedPort} is unreachable: .*ECONNREFUSED`)),
    });
  });
});
