import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Forwarder, type ForwardedReport } from "./forwarder";

interface Received {
  instances?: unknown[];
  evaluations?: unknown[];
  events?: unknown[];
  streams: unknown[];
  contexts: unknown[];
}

/**
 * A stand-in for `POST /api/relay/reports` that answers each request with the next status given,
 * after the next delay given (none by default).
 */
async function fakeServer(statuses: number[], delaysMs: number[] = []): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const status = statuses.shift() ?? 202;
      const answer = () => {
        if (status === 202) received.push(JSON.parse(body) as Received);
        res
          .writeHead(status, { "content-type": "application/json" })
          .end(JSON.stringify({ hints: { production: { reportAfterMs: 1000 } } }));
      };
      setTimeout(answer, delaysMs.shift() ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const served = (instanceId: string, version = 1, evaluations: ForwardedReport["evaluations"] = []): ForwardedReport => ({
  environment: "production",
  source: "server",
  instance: { instanceId, sdk: "switchyard-node/0.1.0", version },
  evaluations,
  events: [],
});

describe("the relay's forwarder", () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  /** Ticks once a minute and sends new versions only when told to flush, unless `promptly`. */
  function forwarder(url: string, hints: Array<Record<string, unknown>> = [], promptly = false) {
    return new Forwarder({
      acknowledgementDelayMs: promptly ? undefined : 60_000,
      serverUrl: url,
      token: "sy_relay_x",
      relayId: "edge",
      intervalMs: 60_000,
      logger: pino({ level: "silent" }),
      streams: () => [{ environment: "production", instanceIds: ["a", "b"] }],
      onHints: (h) => void hints.push(h),
      maxKept: 3,
    });
  }

  it("sends each instance's latest report and the counts summed, with presence, and the context sample apart", async () => {
    const fake = await fakeServer([]);
    servers.push(fake.server);
    const hints: Array<Record<string, unknown>> = [];
    const f = forwarder(fake.url, hints);
    f.add(served("a", 1, [{ flag: "checkout", variation: 0, count: 3 }]));
    f.add(served("b", 1, [{ flag: "checkout", variation: 0, count: 4 }]));
    f.add(served("a", 2, [{ flag: "checkout", variation: 1, count: 1 }]));
    // A report between loads names no version: it does not take back the one before it.
    f.add({ ...served("b", 1), instance: { instanceId: "b" } });
    f.add({
      environment: "production",
      source: "browser",
      evaluations: [{ flag: "checkout", variation: 0, count: 5 }],
      events: [{ event: "purchase", flag: "checkout", variation: 0, count: 2 }],
    });
    f.add({
      environment: "production",
      source: "browser",
      evaluations: [],
      events: [{ event: "purchase", flag: "checkout", variation: 0, count: 1 }],
    });
    f.offerContext("production", { key: "u1" });
    f.offerContext("production", { key: "u1" });
    await f.flush();
    expect(fake.received).toEqual([
      {
        relayId: "edge",
        instances: [
          { environment: "production", instanceId: "a", sdk: "switchyard-node/0.1.0", version: 2 },
          { environment: "production", instanceId: "b", version: 1 },
        ],
        evaluations: [
          { environment: "production", source: "server", flag: "checkout", variation: 0, count: 7 },
          { environment: "production", source: "server", flag: "checkout", variation: 1, count: 1 },
          { environment: "production", source: "browser", flag: "checkout", variation: 0, count: 5 },
        ],
        events: [{ environment: "production", source: "browser", event: "purchase", flag: "checkout", variation: 0, count: 3 }],
        streams: [{ environment: "production", instanceIds: ["a", "b"] }],
        contexts: [],
      },
      { relayId: "edge", streams: [], contexts: [{ environment: "production", context: { key: "u1" }, count: 2 }] },
    ]);
    expect(hints).toEqual([{ production: { reportAfterMs: 1000 } }]);
  });

  it("keeps a batch through a 503 and sends it with what came meanwhile: newer reports win, counts add up", async () => {
    const fake = await fakeServer([503]);
    servers.push(fake.server);
    const f = forwarder(fake.url);
    f.add(served("a", 1, [{ flag: "checkout", variation: 0, count: 3 }]));
    f.add(served("b", 1));
    await f.flush(); // 503: nothing recorded, all of it kept
    expect(fake.received).toEqual([]);
    f.add(served("a", 2, [{ flag: "checkout", variation: 0, count: 2 }]));
    await f.flush();
    const byId = (list: unknown[] | undefined) =>
      [...(list ?? [])].sort((x, y) =>
        String(Reflect.get(x as object, "instanceId")).localeCompare(String(Reflect.get(y as object, "instanceId"))),
      );
    expect(fake.received.map((r) => ({ instances: byId(r.instances), evaluations: r.evaluations }))).toEqual([
      {
        instances: [
          { environment: "production", instanceId: "a", sdk: "switchyard-node/0.1.0", version: 2 },
          { environment: "production", instanceId: "b", sdk: "switchyard-node/0.1.0", version: 1 },
        ],
        evaluations: [{ environment: "production", source: "server", flag: "checkout", variation: 0, count: 5 }],
      },
    ]);
  });

  it("drops a batch the server refuses, and new instances beyond its bound while the server is away", async () => {
    const fake = await fakeServer([400]);
    servers.push(fake.server);
    const f = forwarder(fake.url);
    f.add(served("refused"));
    await f.flush();
    for (const id of ["r1", "r2", "r3", "r4"]) f.add(served(id));
    f.add(served("r2", 5)); // a kept instance's newer report still replaces it
    expect(f.dropped).toBe(1);
    await f.flush();
    expect(fake.received.map((r) => r.instances?.map((x) => Reflect.get(x as object, "instanceId")))).toEqual([["r1", "r3", "r2"]]);
    expect(fake.received[0]?.instances?.at(-1)).toMatchObject({ instanceId: "r2", version: 5 });
  });

  it("forwards a version an instance had not reported within milliseconds, not at the next tick", async () => {
    const fake = await fakeServer([]);
    servers.push(fake.server);
    const f = forwarder(fake.url, [], true); // ticks once a minute
    f.add(served("a", 7, [{ flag: "checkout", variation: 0, count: 2 }]));
    const started = Date.now();
    while (fake.received.length === 0 && Date.now() - started < 2_000) await new Promise((r) => setTimeout(r, 5));
    expect(fake.received.map((r) => ({ instances: r.instances, evaluations: r.evaluations }))).toEqual([
      {
        instances: [{ environment: "production", instanceId: "a", sdk: "switchyard-node/0.1.0", version: 7 }],
        evaluations: [{ environment: "production", source: "server", flag: "checkout", variation: 0, count: 2 }],
      },
    ]);
    expect(Date.now() - started).toBeLessThan(500);
    // The same version again waits for the tick.
    f.add(served("a", 7, [{ flag: "checkout", variation: 0, count: 1 }]));
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.received).toHaveLength(1);
    await f.stop();
  });

  /** Default bounds, no streams unless given; new versions go only when told to flush. */
  function unboundForwarder(url: string, streams: () => Array<{ environment: string; instanceIds: string[] }>) {
    return new Forwarder({
      serverUrl: url,
      token: "t",
      relayId: "edge",
      intervalMs: 60_000,
      logger: pino({ level: "silent" }),
      streams,
      onHints: () => {},
      acknowledgementDelayMs: 60_000,
    });
  }

  const browserCount = (variation: number): ForwardedReport => ({
    environment: "production",
    source: "browser",
    evaluations: [{ flag: "checkout", variation, count: 1 }],
    events: [],
  });

  /** The variations of each batch when a count arrives while a slow batch is on its way (and the tick's flush too, when `tick`). */
  async function countWhileInFlight(tick: boolean) {
    const fake = await fakeServer([], [300]);
    servers.push(fake.server);
    const f = forwarder(fake.url);
    f.add(browserCount(0));
    const first = f.flush();
    await new Promise((r) => setTimeout(r, 50));
    f.add(browserCount(1));
    if (tick) void f.flush();
    await first;
    await new Promise((r) => setTimeout(r, 100));
    return fake.received.map((r) => r.evaluations?.map((e) => Reflect.get(e as object, "variation")));
  }

  it("sends again as soon as a slow answer comes when a flush was asked for meanwhile", async () => {
    expect(await countWhileInFlight(true)).toEqual([[0], [1]]);
  });

  it("leaves what arrives while a batch is on its way for the next tick: batches do not follow each other back to back", async () => {
    expect(await countWhileInFlight(false)).toEqual([[0]]);
  });

  it("spreads the presence of busy environments over batches under the body limit, and resends it only when it changes or grows old", async () => {
    const fake = await fakeServer([]);
    servers.push(fake.server);
    // Three environments of 8,000 streams each, ids as long as a UUID: ~960 KB of presence.
    const environments = ["production", "staging", "canary"];
    const ids = (environment: string) =>
      Array.from({ length: 8_000 }, (_, i) => `${environment}-${String(i).padStart(8, "0")}-4a1e-9c3b-77d2e1f0`);
    const f = unboundForwarder(fake.url, () => environments.map((environment) => ({ environment, instanceIds: ids(environment) })));
    await f.flush();
    const listed = fake.received.flatMap((r) => r.streams.map((s) => Reflect.get(s as object, "environment")));
    expect(listed.sort()).toEqual([...environments].sort());
    expect(fake.received.length).toBeGreaterThan(1);
    expect(Math.max(...fake.received.map((r) => JSON.stringify(r).length))).toBeLessThan(1024 * 1024);
    const batches = fake.received.length;
    await f.flush(); // nothing changed: nothing to send
    expect(fake.received).toHaveLength(batches);
  });

  it("splits what is kept into batches the server's limits accept", async () => {
    const fake = await fakeServer([]);
    servers.push(fake.server);
    const f = unboundForwarder(fake.url, () => []);
    // 12,000 instances (~120 bytes each) and 12,000 count keys: past one batch by count (10,000 a list) and by size (768 KB).
    for (let i = 0; i < 12_000; i++) f.add(served(`instance-${i}`, 1, [{ flag: `flag-${i}`, variation: 0, count: 1 }]));
    await f.flush();
    for (let i = 0; i < 20 && fake.received.reduce((n, r) => n + (r.instances?.length ?? 0), 0) < 12_000; i++)
      await new Promise((r) => setTimeout(r, 100));
    const total = (list: "instances" | "evaluations") => fake.received.reduce((n, r) => n + (r[list]?.length ?? 0), 0);
    expect({ instances: total("instances"), evaluations: total("evaluations") }).toEqual({ instances: 12_000, evaluations: 12_000 });
    expect(fake.received.length).toBeGreaterThan(2);
    expect(Math.max(...fake.received.map((r) => JSON.stringify(r).length))).toBeLessThan(1024 * 1024);
    expect(Math.max(...fake.received.map((r) => Math.max(r.instances?.length ?? 0, r.evaluations?.length ?? 0)))).toBeLessThanOrEqual(
      10_000,
    );
  });
});
