import { createServer, type IncomingHttpHeaders } from "node:http";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signature } from "../src/deploys/decision-webhook";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "../src/deploys/webhook-dispatcher";
import type { Db } from "../src/store/database";
import { claimDeliveries, insertDelivery, settleDelivery } from "../src/store/webhook-deliveries";
import { createScratchDatabase } from "../../../test/support/scratch-database";
import { eventually } from "../../../test/support/eventually";
import { backends, startTestServer, type TestServer } from "./harness";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

type Answer = "accept" | "fail" | "hang";

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A webhook receiver; `answer(n)` says how its n-th request (from 0) is answered: 204, 500 or never. */
async function receiver(answer: (index: number) => Answer = () => "accept"): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const how = answer(received.length);
      received.push({ headers: req.headers, body, at: Date.now() });
      if (how === "accept") res.writeHead(204).end();
      if (how === "fail") res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks/switchyard`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const silent = pino({ level: "silent" });
const secret = "whsec_0123456789abcdef";

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`deploy decision webhooks on ${backend.name}`, () => {
    let server: TestServer;
    /** On PostgreSQL a second server on the same database (another replica); embedded has one database per process. */
    let replica: TestServer;
    let scratch: { url: string; drop(): Promise<void> } | undefined;
    const running: Array<{ stop(): Promise<void> }> = [];
    const receivers: Receiver[] = [];

    beforeAll(async () => {
      if (backend.name === "postgres") {
        scratch = await createScratchDatabase();
        server = await startTestServer("postgres", { postgresUrl: scratch.url, deployWorker: { tickMs: 100 } });
        replica = await startTestServer("postgres", { postgresUrl: scratch.url });
      } else {
        server = await startTestServer("embedded", { deployWorker: { tickMs: 100 } });
        replica = server;
      }
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((d) => d.stop()));
      await Promise.all(receivers.splice(0).map((r) => r.close()));
    });
    afterAll(async () => {
      if (replica !== server) await replica?.close();
      await server?.close();
      await scratch?.drop();
    });

    const dispatcher = (db: Db, options: WebhookDispatcherOptions = {}): WebhookDispatcher => {
      const started = new WebhookDispatcher(db, silent, { pollMs: 20, retryDelaysMs: [50, 50], ...options });
      started.start();
      running.push(started);
      return started;
    };
    /** An environment whose webhook is a new receiver. */
    const hooked = async (env: string, answer?: (index: number) => Answer): Promise<Receiver> => {
      const hook = await receiver(answer);
      receivers.push(hook);
      await server.request("POST", "/api/environments", { body: { key: env } });
      const res = await server.request("PATCH", `/api/environments/${env}`, { body: { webhookUrl: hook.url, webhookSecret: secret } });
      expect(res.status).toBe(200);
      return hook;
    };
    /** A deploy with no traffic: inconclusive (final) after its one-second window. */
    const deployIn = async (env: string): Promise<string> => {
      const guard = { windowSeconds: 1, intervalSeconds: 1, checks: [{ signal: "error_rate", max: 0.02 }] };
      const res = await server.request("POST", "/api/deploys", {
        body: { service: "checkout", version: "2.0.0", environment: env, flags: [], guard },
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    const deliveries = async (id: string) => (await server.request("GET", `/api/deploys/${id}`)).body.webhook.deliveries;
    const settledDeliveries = (id: string) =>
      eventually(
        () => deliveries(id),
        (d) => d.length > 0 && d.every((x: { status: string }) => x.status !== "pending"),
      );
    const queued = (id: string) =>
      eventually(
        () => deliveries(id),
        (d) => d.length > 0,
      );

    it("configures a webhook per environment without ever showing the secret", async () => {
      const hook = await receiver();
      receivers.push(hook);
      const res = await server.request("PATCH", "/api/environments/production", { body: { webhookUrl: hook.url, webhookSecret: secret } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ key: "production", webhookUrl: hook.url, webhookSecretSet: true });
      expect(JSON.stringify(res.body)).not.toContain(secret);
      const bad = await server.request("PATCH", "/api/environments/production", {
        body: { webhookUrl: "ftp://example.com", webhookSecret: "short" },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(["webhookUrl", "webhookSecret"]);
      const audit = await server.request("GET", "/api/audit?environment=production&limit=1");
      expect(JSON.stringify(audit.body)).not.toContain(secret);
    });

    it("POSTs each decision as signed JSON, retrying a failed delivery with the same delivery id", async () => {
      const hook = await hooked("hooks-signed", (n) => (n === 0 ? "fail" : "accept"));
      dispatcher(server.database.db);
      const id = await deployIn("hooks-signed");
      const [delivery] = await settledDeliveries(id);
      expect(delivery).toEqual({
        id: expect.any(String),
        status: "delivered",
        attempts: 2,
        lastError: "answered 500",
        nextAttemptAt: null,
        deliveredAt: expect.any(String),
      });
      const [first, retry] = hook.received;
      expect(hook.received).toHaveLength(2);
      expect(retry?.body).toBe(first?.body);
      expect(first?.headers["x-switchyard-delivery"]).toBe(delivery.id);
      expect(retry?.headers["x-switchyard-delivery"]).toBe(delivery.id);
      expect(retry?.headers["x-switchyard-event"]).toBe("deploy.decision");
      expect(retry?.headers["x-switchyard-signature"]).toBe(signature(secret, retry?.body ?? ""));
      expect(JSON.parse(retry?.body ?? "{}")).toMatchObject({
        event: "deploy.decision",
        deploy: { id, service: "checkout", version: "2.0.0", environment: "hooks-signed", flags: [] },
        status: "inconclusive",
        final: true,
        summary: expect.stringMatching(/^inconclusive: /),
      });
    });

    it("backs off between attempts and marks the delivery failed after the last one", async () => {
      const hook = await hooked("hooks-backoff", () => "fail");
      dispatcher(server.database.db, { retryDelaysMs: [200, 600] });
      const id = await deployIn("hooks-backoff");
      expect(await settledDeliveries(id)).toEqual([
        expect.objectContaining({ status: "failed", attempts: 3, lastError: "answered 500", nextAttemptAt: null, deliveredAt: null }),
      ]);
      expect(hook.received).toHaveLength(3);
      const [a, b, c] = hook.received.map((r) => r.at);
      expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(200);
      expect((c ?? 0) - (b ?? 0)).toBeGreaterThanOrEqual(600);
    });

    it("sends a delivery cut off by a stop again after the restart: same id, signed with the secret current then", async () => {
      const hook = await hooked("hooks-restart", (n) => (n === 0 ? "hang" : "accept"));
      const before = dispatcher(server.database.db);
      const id = await deployIn("hooks-restart");
      await eventually(
        async () => hook.received.length,
        (n) => n === 1,
      );
      await before.stop(); // the server stops while the receiver has not answered
      expect(await deliveries(id)).toEqual([
        expect.objectContaining({ status: "pending", attempts: 1, lastError: "interrupted: the server stopped" }),
      ]);
      const rotated = "whsec_rotated_0123456789abcdef";
      await server.request("PATCH", "/api/environments/hooks-restart", { body: { webhookSecret: rotated } });
      dispatcher(replica.database.db); // the restarted server
      const [delivery] = await settledDeliveries(id);
      expect(delivery).toMatchObject({ status: "delivered", attempts: 2 });
      const [cut, again] = hook.received;
      expect(again?.headers["x-switchyard-delivery"]).toBe(cut?.headers["x-switchyard-delivery"]);
      expect(again?.body).toBe(cut?.body);
      expect(again?.headers["x-switchyard-signature"]).toBe(signature(rotated, again?.body ?? ""));
    });

    it("sends a delivery whose replica died mid-send once its lease has expired", async () => {
      const hook = await hooked("hooks-crash");
      const id = await deployIn("hooks-crash");
      const [delivery] = await queued(id);
      // A replica claims the delivery and dies before sending it.
      expect((await claimDeliveries(server.database.db, new Date(), 30_000, 100)).map((d) => d.id)).toContain(delivery.id);
      const meanwhile = new WebhookDispatcher(replica.database.db, silent);
      await meanwhile.poll();
      await meanwhile.settled();
      expect(hook.received).toHaveLength(0);
      dispatcher(replica.database.db, { now: () => new Date(Date.now() + 31_000) });
      expect(await settledDeliveries(id)).toEqual([expect.objectContaining({ id: delivery.id, status: "delivered", attempts: 2 })]);
      expect(hook.received.map((r) => r.headers["x-switchyard-delivery"])).toEqual([delivery.id]);
    });

    it("delivers each decision exactly once with two replicas on one database", async () => {
      const hook = await hooked("hooks-replicas");
      const ids = await Promise.all(Array.from({ length: 6 }, () => deployIn("hooks-replicas")));
      dispatcher(server.database.db, { pollMs: 5 });
      dispatcher(replica.database.db, { pollMs: 5 });
      for (const id of ids) expect(await settledDeliveries(id)).toEqual([expect.objectContaining({ status: "delivered", attempts: 1 })]);
      const sent = hook.received.map((r) => r.headers["x-switchyard-delivery"]);
      expect(sent).toHaveLength(6);
      expect(new Set(sent).size).toBe(6);
    });

    it("keeps delivering to others while a receiver never answers", async () => {
      const stuck = await hooked("hooks-stuck", () => "hang");
      const prompt = await hooked("hooks-prompt");
      dispatcher(server.database.db); // the default 10 s timeout
      const stuckId = await deployIn("hooks-stuck");
      await eventually(
        async () => stuck.received.length,
        (n) => n === 1,
      );
      const promptId = await deployIn("hooks-prompt");
      expect(await settledDeliveries(promptId)).toEqual([expect.objectContaining({ status: "delivered", attempts: 1 })]);
      expect(prompt.received).toHaveLength(1);
      expect(await deliveries(stuckId)).toEqual([expect.objectContaining({ status: "pending", attempts: 1, lastError: null })]);
    });

    it("does not send a decision to a webhook removed before it went out", async () => {
      const hook = await hooked("hooks-removed");
      const id = await deployIn("hooks-removed");
      await queued(id);
      await server.request("PATCH", "/api/environments/hooks-removed", { body: { webhookUrl: null } });
      dispatcher(server.database.db);
      expect(await settledDeliveries(id)).toEqual([
        expect.objectContaining({ status: "failed", attempts: 1, lastError: "the environment's webhook URL changed before it was sent" }),
      ]);
      expect(hook.received).toHaveLength(0);
    });

    it("claims a deploy's deliveries in decision order, and fences off a replica whose claim was taken over", async () => {
      await hooked("hooks-order");
      const id = await deployIn("hooks-order");
      const [decided] = await queued(id);
      const db = server.database.db;
      const now = new Date();
      const later = {
        id: `later-${id}`,
        deployId: id,
        environmentKey: "hooks-order",
        url: "http://127.0.0.1:9/",
        payload: {},
        nextAttemptAt: new Date(0),
        createdAt: new Date(now.getTime() + 1_000),
      };
      await insertDelivery(db, later);
      const claimed = (await claimDeliveries(db, now, 30_000, 100)).map((d) => d.id);
      expect(claimed).toContain(decided.id);
      expect(claimed).not.toContain(later.id); // due, but an older decision of its deploy is pending
      // The lease runs out and another replica claims it: the first one's outcome no longer counts.
      const taken = (await claimDeliveries(db, new Date(now.getTime() + 31_000), 30_000, 100)).find((d) => d.id === decided.id);
      expect(taken?.attempts).toBe(2);
      expect(await settleDelivery(db, decided.id, 1, { status: "delivered", deliveredAt: now })).toBe(false);
      expect(await settleDelivery(db, decided.id, 2, { status: "delivered", deliveredAt: now })).toBe(true);
      expect((await claimDeliveries(db, new Date(now.getTime() + 62_000), 30_000, 100)).map((d) => d.id)).toContain(later.id);
      await settleDelivery(db, later.id, 1, { status: "failed", lastError: "test row" });
    });
  });
}
