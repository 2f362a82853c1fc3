import type { IncomingMessage, ServerResponse } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { encode, encodeComment } from "eventsource-encoder";
import { reconnectDelayMs } from "./reconnect-delay";
import type { StreamEvent } from "../events/sdk-events";
import type { SseSink } from "./sse-sink";

/**
 * A client this far behind is dropped: its socket is destroyed, not ended, since ending waits for
 * the queued megabytes to drain, which a stuck reader never does. It reconnects with Last-Event-ID
 * and resumes.
 */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const CRLF = Buffer.from("\r\n", "latin1");

/**
 * One event's bytes, encoded once whatever the fan-out: the SSE frame, and the same frame as one
 * HTTP/1.1 chunk (size line, frame, CRLF) — what `ServerResponse.write` would build per socket
 * from four pieces, a cork and a tick. The chunk is written straight to each socket.
 */
interface Frame {
  text: Buffer;
  chunk: Buffer;
}

function frameOf(text: string): Frame {
  const bytes = Buffer.from(text, "utf8");
  return { text: bytes, chunk: Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`, "latin1"), bytes, CRLF]) };
}

const frames = new WeakMap<StreamEvent, Frame>();
function eventFrame(event: StreamEvent): Frame {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = frameOf(encode({ event: event.event, id: event.id, data: event.data }));
    frames.set(event, frame);
  }
  return frame;
}
const HEARTBEAT = frameOf(encodeComment("heartbeat"));

export interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

/**
 * One open stream. A class rather than closures: its methods are shared by every stream, so an
 * open stream costs this object, its close listener and Node's own socket and response.
 */
class NodeSseSink implements SseSink {
  private closed = false;
  /** Set once registration answers; a stream closed before that unregisters at once. */
  private unregister: (() => void) | undefined;

  constructor(private readonly outgoing: ServerResponse) {}

  send(event: StreamEvent): void {
    this.write(eventFrame(event));
  }

  heartbeat(): void {
    this.write(HEARTBEAT);
  }

  close(): void {
    this.finish(false);
  }

  registered(unregister: () => void, onClose: () => void): void {
    if (this.closed) return unregister();
    this.unregister = unregister;
    // @hono/node-server's close listener aborts the request's signal, which nothing reads once
    // the stream is written straight to the socket, and it holds the whole Request (about 2 KB
    // a stream): an open stream keeps only its own listener. It is attached before the route runs.
    for (const listener of this.outgoing.listeners("close")) if (listener !== onClose) this.outgoing.off("close", listener as () => void);
  }

  finish(destroy: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.unregister?.();
    this.unregister = undefined;
    if (destroy) this.outgoing.destroy();
    else if (!this.outgoing.writableEnded) this.outgoing.end();
  }

  private write(frame: Frame): void {
    if (this.closed) return;
    const { outgoing } = this;
    if (outgoing.writableLength > MAX_BUFFERED_BYTES) return this.finish(true);
    // Once the response has its socket, everything it queued is on that socket (assignSocket
    // flushes synchronously), so a chunk written there keeps its place. Before that, and on a
    // response that is not chunked (HTTP/1.0, HEAD), the response frames (or drops) it.
    const socket = outgoing.socket;
    if (socket !== null && outgoing.chunkedEncoding) {
      if (socket.writable) socket.write(frame.chunk);
    } else outgoing.write(frame.text);
  }
}

/**
 * SSE straight onto Node's response, for @hono/node-server. Web streams cost a few promise hops
 * and ~20 KB per connection; a fan-out to thousands of streams needs neither. Framing is done by
 * `eventsource-encoder`. Headers set by middleware do not apply (reading `c.res` here would make
 * Hono re-wrap the response and defeat RESPONSE_ALREADY_SENT): the route passes what it needs.
 */
export function serveNodeSse(
  bindings: NodeBindings,
  register: (sink: SseSink) => Promise<() => void>,
  headers: Record<string, string>,
): Response {
  const { outgoing } = bindings;
  outgoing.writeHead(200, {
    ...headers,
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  outgoing.write(encode({ retry: reconnectDelayMs() }));
  const sink = new NodeSseSink(outgoing);
  const onClose = () => sink.finish(false);
  outgoing.on("close", onClose);
  register(sink).then(
    (unregister) => sink.registered(unregister, onClose),
    () => sink.finish(false),
  );
  return RESPONSE_ALREADY_SENT;
}
