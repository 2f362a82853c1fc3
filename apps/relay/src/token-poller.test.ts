import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { TokenPoller, type TokensAnswer } from "./token-poller";

const answer = (ids: string[]): TokensAnswer => ({
  relay: { id: "tok_relay", name: "edge", environments: ["production"] },
  tokens: ids.map((id) => ({ hash: "a".repeat(64), id, name: id, kind: "server", environment: "production" })),
});

describe("the relay's token poller", () => {
  let server: Server | undefined;
  afterEach(() => void server?.close());

  it("asks once more when asked during a poll, whose answer may predate the change it was told of", async () => {
    // The first answer is slow and lists the token as it was; the next lists it deleted.
    const lists = [answer(["tok_kept", "tok_doomed"]), answer(["tok_kept"])];
    let asked = 0;
    server = createServer((_req, res) => {
      const body = JSON.stringify(lists[Math.min(asked, lists.length - 1)]);
      asked += 1;
      setTimeout(() => res.writeHead(200, { "content-type": "application/json", etag: `"${asked}"` }).end(body), asked === 1 ? 200 : 0);
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const seen: string[][] = [];
    const poller = new TokenPoller({
      serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: "sy_relay_x",
      intervalMs: 60_000,
      logger: pino({ level: "silent" }),
      onTokens: (list) => void seen.push(list.tokens.map((t) => t.id)),
      onRevoked: () => {},
    });
    const first = poller.poll();
    await new Promise((r) => setTimeout(r, 50));
    await poller.poll(); // a `tokens` notice while the first poll waits for its answer
    await first;
    const started = Date.now();
    while (seen.length < 2 && Date.now() - started < 2_000) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([["tok_kept", "tok_doomed"], ["tok_kept"]]);
    poller.stop();
  });
});
