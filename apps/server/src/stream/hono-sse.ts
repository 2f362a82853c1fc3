import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { SseSink } from "./sse-sink";

/**
 * Serves one SSE stream with Hono's helper (it does the framing): `register` gets a sink and
 * returns its unregister function, called when the client goes away or the server closes the sink.
 */
export function serveSse(c: Context, register: (sink: SseSink) => Promise<() => void>): Response {
  // Proxies (nginx) must not buffer an event stream.
  c.header("X-Accel-Buffering", "no");
  return streamSSE(c, async (stream) => {
    let closed = false;
    let closedByServer: () => void = () => {};
    const serverClosed = new Promise<void>((resolve) => (closedByServer = resolve));
    const clientGone = new Promise<void>((resolve) => stream.onAbort(resolve));
    const sink: SseSink = {
      send(event) {
        if (!closed) stream.writeSSE(event).catch(() => sink.close());
      },
      heartbeat() {
        if (!closed) stream.write(": heartbeat\n\n").catch(() => sink.close());
      },
      close() {
        closed = true;
        closedByServer();
      },
    };
    const unregister = await register(sink);
    await Promise.race([clientGone, serverClosed]);
    closed = true;
    unregister();
  });
}
