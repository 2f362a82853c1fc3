import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { serveNodeSse } from "./node-sse";
import { RECONNECT_DELAY_MS, reconnectDelayMs } from "./reconnect-delay";
import type { StreamEvent } from "../events/sdk-events";
import type { SseSink } from "./sse-sink";

/** A Node server whose one route is an SSE stream; the test holds its sink and hears when it unregisters. */
async function sseServer() {
  const state: { sink?: SseSink; unregistered: boolean } = { unregistered: false };
  const server = createServer((incoming, outgoing) => {
    serveNodeSse(
      { incoming, outgoing },
      async (sink) => {
        state.sink = sink;
        return () => void (state.unregistered = true);
      },
      {},
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP: the address is an AddressInfo
  return { server, port, state };
}

const connections = (server: Server) =>
  new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("SSE on Node's response", () => {
  let server: Server | undefined;
  let client: Socket | undefined;
  afterEach(() => {
    client?.destroy();
    server?.close();
  });

  it("destroys the socket of a reader that stopped reading once it is 4 MB behind, instead of waiting for it to drain", async () => {
    const started = await sseServer();
    server = started.server;
    // A client that sends its request and then never reads a byte.
    client = connect(started.port, "127.0.0.1");
    client.write("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
    client.pause();
    await until(() => started.state.sink !== undefined);
    const event: StreamEvent = { event: "patch", id: "1", data: "x".repeat(256 * 1024) };
    // Up to 50 MB: far more than the limit plus what the kernel's socket buffers take in.
    for (let sent = 0; !started.state.unregistered && sent < 200; sent++) {
      started.state.sink?.send(event);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(started.state.unregistered).toBe(true);
    // The server holds no connection any more: the queued megabytes are freed with the socket.
    await until(async () => (await connections(started.server)) === 0);
    expect(await connections(started.server)).toBe(0);
  });

  it("starts every stream with a retry: field, spread between 1 and 5 seconds", async () => {
    const started = await sseServer();
    server = started.server;
    client = connect(started.port, "127.0.0.1");
    client.write("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let received = "";
    client.on("data", (chunk: Buffer) => void (received += chunk.toString("utf8")));
    await until(() => received.includes("\r\n\r\n") && /retry: \d+\n\n/.test(received));
    const retryMs = Number(/retry: (\d+)\n\n/.exec(received)?.[1]);
    expect(retryMs).toBeGreaterThanOrEqual(1_000);
    expect(retryMs).toBeLessThanOrEqual(5_000);
    expect(received).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*content-type: text\/event-stream\r\n[\s\S]*\r\n\r\n[0-9a-f]+\r\nretry: \d+\n\n/i,
    );
  });

  it("draws the reconnect delay over the whole range", () => {
    expect([0, 0.5, 0.999_999].map((r) => reconnectDelayMs(() => r))).toEqual([1_000, 3_000, 5_000]);
    expect(RECONNECT_DELAY_MS).toEqual({ min: 1_000, max: 5_000 });
  });
});
