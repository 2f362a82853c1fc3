import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signature } from "../src/deploys/decision-webhook";
import { startTestServer, type TestServer } from "./harness";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver that fails its first `failures` deliveries with 503, then accepts. */
async function receiver(failures: number): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  let failed = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      if (failed < failures) {
        failed++;
        res.writeHead(503).end();
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/hooks/switchyard`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("deploy decision webhooks", () => {
  let server: TestServer;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const secret = "whsec_0123456789abcdef";

  beforeAll(async () => {
    server = await startTestServer("embedded", { deployWorker: { tickMs: 100, webhookRetryDelaysMs: [50, 50] } });
    hook = await receiver(1);
  });
  afterAll(async () => {
    await server?.close();
    await hook?.close();
  });

  it("configures a webhook per environment without ever showing the secret", async () => {
    const res = await server.request("PATCH", "/api/environments/production", { body: { webhookUrl: hook.url, webhookSecret: secret } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: "production", webhookUrl: hook.url, webhookSecretSet: true });
    expect(JSON.stringify(res.body)).not.toContain(secret);
    const bad = await server.request("PATCH", "/api/environments/production", { body: { webhookUrl: "ftp://example.com", webhookSecret: "short" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(["webhookUrl", "webhookSecret"]);
    const audit = await server.request("GET", "/api/audit?environment=production&limit=1");
    expect(JSON.stringify(audit.body)).not.toContain(secret);
  });

  it("POSTs each decision as signed JSON, retrying a failed delivery", async () => {
    await server.request("POST", "/api/flags", { body: { key: "hooked" } });
    const created = await server.request("POST", "/api/deploys", {
      body: { service: "checkout", version: "2.0.0", environment: "production", flags: ["hooked"], guard: { windowSeconds: 2, intervalSeconds: 1, checks: [{ signal: "error_rate", max: 0.02 }], onBreach: "disable-flags" } },
    });
    expect(created.status).toBe(201);
    await expect.poll(() => hook.received.length, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    const [first, retry] = hook.received;
    expect(retry?.body).toBe(first?.body);
    expect(retry?.headers["x-switchyard-delivery"]).toBe(first?.headers["x-switchyard-delivery"]);
    expect(retry?.headers["x-switchyard-event"]).toBe("deploy.decision");
    expect(retry?.headers["x-switchyard-signature"]).toBe(signature(secret, retry?.body ?? ""));
    expect(JSON.parse(retry?.body ?? "{}")).toMatchObject({
      event: "deploy.decision",
      deploy: { id: created.body.id, service: "checkout", version: "2.0.0", environment: "production", flags: ["hooked"] },
      status: "inconclusive",
      final: true,
      summary: expect.stringMatching(/^inconclusive: /),
    });
  });
});
