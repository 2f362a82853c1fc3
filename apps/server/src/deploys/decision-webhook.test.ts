import { createServer, type RequestListener, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_WEBHOOK_RETRY_DELAYS_MS, retryDelayMs, sendWebhook, signature, webhookHeaders } from "./decision-webhook";

describe("webhook signature and headers", () => {
  it("signs the exact body with HMAC-SHA256", () => {
    expect(signature("key", "The quick brown fox jumps over the lazy dog")).toBe(
      "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
    );
  });

  it("sends the same delivery id on every attempt, and no signature without a secret", () => {
    const request = { id: "d-1", url: "http://example.test/hook", body: '{"a":1}' };
    expect(webhookHeaders({ ...request, secret: "s3cret" })).toEqual({
      "content-type": "application/json",
      "user-agent": "switchyard-webhooks",
      "x-switchyard-event": "deploy.decision",
      "x-switchyard-delivery": "d-1",
      "x-switchyard-signature": signature("s3cret", '{"a":1}'),
    });
    expect(webhookHeaders({ ...request, secret: null })).not.toHaveProperty("x-switchyard-signature");
  });
});

describe("retry delays", () => {
  it("waits 1, 4, 16 and 60 s after the first four failures, then gives up", () => {
    expect([1, 2, 3, 4, 5].map((attempts) => retryDelayMs(attempts, DEFAULT_WEBHOOK_RETRY_DELAYS_MS))).toEqual([
      1_000,
      4_000,
      16_000,
      60_000,
      null,
    ]);
    expect(retryDelayMs(1, [])).toBeNull();
  });
});

describe("one webhook attempt against a misbehaving receiver", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });
  const listen = async (handler: RequestListener): Promise<string> => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hook`;
  };
  const attempt = (url: string, timeoutMs = 2_000) => sendWebhook({ id: "d-1", url, body: "{}", secret: null }, { timeoutMs });

  it("counts only a 2xx", async () => {
    let status = 500;
    const url = await listen((_req, res) => res.writeHead(status).end("nope"));
    expect(await attempt(url)).toEqual({ ok: false, problem: "answered 500" });
    status = 202;
    expect(await attempt(url)).toEqual({ ok: true });
  });

  it("does not follow a redirect, so a redirect loop costs one request", async () => {
    let hits = 0;
    const url = await listen((_req, res) => {
      hits++;
      res.writeHead(302, { location: "/hook" }).end();
    });
    expect(await attempt(url)).toEqual({ ok: false, problem: "answered 302" });
    expect(hits).toBe(1);
  });

  it("never reads the answer's body, so an endless one does not hold the attempt", async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = Buffer.alloc(64 * 1024, 120);
      const timer = setInterval(() => res.write(chunk), 1);
      res.on("close", () => clearInterval(timer));
    });
    expect(await attempt(url)).toEqual({ ok: true });
  });

  it("gives up on a receiver that never answers after the timeout", async () => {
    const url = await listen(() => undefined);
    expect(await attempt(url, 200)).toEqual({ ok: false, problem: "no answer within 200 ms" });
  });

  it("says why a connection failed", async () => {
    const url = await listen(() => undefined);
    server?.close();
    const outcome = await attempt(url);
    expect(outcome).toEqual({ ok: false, problem: expect.stringMatching(/^fetch failed: connect ECONNREFUSED/) });
  });
});
