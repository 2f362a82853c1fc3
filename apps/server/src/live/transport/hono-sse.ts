import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { encode } from "eventsource-encoder";
import { serveNodeSse, type NodeBindings } from "./node-sse";
import { reconnectDelayMs } from "./reconnect-delay";
import type { SseSink } from "./sse-sink";

function isNodeBindings(env: unknown): env is NodeBindings {
  return (
    typeof env === "object" &&
    env !== null &&
    "outgoing" in env &&
    typeof env.outgoing === "object" &&
    env.outgoing !== null &&
    "writeHead" in env.outgoing
  );
}

/**
 * Serves one SSE stream: `register` gets a sink and returns its unregister function, called when
 * the client goes away or the server closes the sink. On Node the stream is written straight to
 * the response (see node-sse.ts); elsewhere (app.request in tests, other runtimes) Hono's SSE
 * helper does it.
 */
export function serveSse(c: Context, register: (sink: SseSink) => Promise<() => void>, headers: Record<string, string> = {}): Response {
  // HEAD asks for the headers only: opening a stream would register a reader that nothing ever
  // reads or hangs up (the body of a HEAD answer is dropped).
  if (c.req.method === "HEAD")
    return new Response(null, { status: 200, headers: { ...headers, "content-type": "text/event-stream", "cache-control": "no-cache" } });
  const bindings: unknown = c.env;
  if (isNodeBindings(bindings)) return serveNodeSse(bindings, register, headers);
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
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
    await stream.write(encode({ retry: reconnectDelayMs() }));
    const unregister = await register(sink);
    await Promise.race([clientGone, serverClosed]);
    closed = true;
    unregister();
  });
}

/** `serveSse` for a stream counted against a cap: `release` runs once when the stream ends, or at once if it never starts. */
export function serveAdmittedSse(
  c: Context,
  release: () => void,
  register: (sink: SseSink) => Promise<() => void>,
  headers: Record<string, string> = {},
): Response {
  if (c.req.method === "HEAD") release();
  try {
    return serveSse(
      c,
      async (sink) => {
        let unregister: () => void;
        try {
          unregister = await register(sink);
        } catch (error) {
          release();
          throw error;
        }
        return releasing(unregister, release);
      },
      headers,
    );
  } catch (error) {
    release();
    throw error;
  }
}

// Outside serveAdmittedSse, so an open stream's unregister function does not keep the route's
// `register` closure (and what it captured, such as the view the stream started from) alive.
function releasing(unregister: () => void, release: () => void): () => void {
  return () => {
    unregister();
    release();
  };
}
