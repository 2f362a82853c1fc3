import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Forwarder, type ForwardedReport } from "./forwarder";

interface Received {
  reports: ForwardedReport[];
  streams: unknown[];
  contexts: unknown[];
}

/** A stand-in for `POST /api/relay/reports` that answers each request with the next status given. */
async function fakeServer(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const status = statuses.shift() ?? 202;
      if (status === 202) received.push(JSON.parse(body) as Received);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ hints: { production: { reportAfterMs: 1000 } } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const report = (instanceId: string, version = 1): ForwardedReport => ({
  environment: "production",
  source: "server",
  report: { instanceId, version, evaluations: [], events: [], contexts: [] },
});

describe("the relay's forwarder", () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  function forwarder(url: string, hints: Array<Record<string, unknown>> = []) {
    return new Forwarder({
      serverUrl: url,
      token: "sy_relay_x",
      relayId: "edge",
      intervalMs: 60_000,
      logger: pino({ level: "silent" }),
      streams: () => [{ environment: "production", instanceIds: ["a", "b"] }],
      onHints: (h) => void hints.push(h),
      maxQueued: 3,
    });
  }

  it("sends reports with presence, keeps them through a 503, and sends the context sample apart", async () => {
    const fake = await fakeServer([503]);
    servers.push(fake.server);
    const hints: Array<Record<string, unknown>> = [];
    const f = forwarder(fake.url, hints);
    f.enqueue(report("a"));
    f.offerContext("production", { key: "u1" });
    f.offerContext("production", { key: "u1" });
    await f.flush(); // 503: nothing recorded, the report stays queued
    expect(fake.received).toEqual([]);
    f.offerContext("production", { key: "u2" });
    await f.flush();
    expect(fake.received).toEqual([
      { relayId: "edge", reports: [report("a")], streams: [{ environment: "production", instanceIds: ["a", "b"] }], contexts: [] },
      { relayId: "edge", reports: [], streams: [], contexts: [{ environment: "production", context: { key: "u2" }, count: 1 }] },
    ]);
    expect(hints).toEqual([{ production: { reportAfterMs: 1000 } }]);
  });

  it("drops a batch the server refuses, and the oldest reports beyond its bound while the server is away", async () => {
    const fake = await fakeServer([400]);
    servers.push(fake.server);
    const f = forwarder(fake.url);
    f.enqueue(report("refused"));
    await f.flush();
    for (const id of ["r1", "r2", "r3", "r4"]) f.enqueue(report(id));
    expect(f.dropped).toBe(1);
    await f.flush();
    expect(fake.received.map((r) => r.reports.map((x) => x.report.instanceId))).toEqual([["r2", "r3", "r4"]]);
  });

  it("splits what is queued into batches the server's body limit accepts", async () => {
    const fake = await fakeServer([]);
    servers.push(fake.server);
    const f = new Forwarder({
      serverUrl: fake.url,
      token: "t",
      relayId: "edge",
      intervalMs: 60_000,
      logger: pino({ level: "silent" }),
      streams: () => [],
      onHints: () => {},
    });
    // 1,200 reports of ~1.5 KB: more than one batch holds by count (1,000) and by size (768 KB).
    const big = Array.from({ length: 100 }, (_, i) => ({ flag: `flag-${i}`, variation: 0, count: 1 }));
    for (let i = 0; i < 1_200; i++) f.enqueue({ ...report(`i${i}`), report: { ...report(`i${i}`).report, evaluations: big } });
    await f.flush();
    await new Promise((r) => setTimeout(r, 200));
    await f.flush();
    const sizes = fake.received.map((r) => r.reports.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1_200);
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...fake.received.map((r) => JSON.stringify(r).length))).toBeLessThan(1024 * 1024);
  });
});
