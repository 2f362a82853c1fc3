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
const HEARTBEAT = encodeComment("heartbeat");

// One event goes to every stream of an environment: it is encoded once, whatever the fan-out.
const frames = new WeakMap<StreamEvent, string>();
function frameOf(event: StreamEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = encode({ event: event.event, id: event.id, data: event.data });
    frames.set(event, frame);
  }
  return frame;
}

export interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
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
  let closed = false;
  let unregister: (() => void) | undefined;
  const finish = (how: "end" | "destroy" = "end") => {
    if (closed) return;
    closed = true;
    unregister?.();
    if (how === "destroy") outgoing.destroy();
    else if (!outgoing.writableEnded) outgoing.end();
  };
  const write = (text: string) => {
    if (closed) return;
    if (outgoing.writableLength > MAX_BUFFERED_BYTES) finish("destroy");
    else outgoing.write(text);
  };
  const sink: SseSink = {
    send: (event) => write(frameOf(event)),
    heartbeat: () => write(HEARTBEAT),
    close: () => finish(),
  };
  outgoing.on("close", () => finish());
  register(sink).then(
    (done) => {
      if (closed) done();
      else unregister = done;
    },
    () => finish(),
  );
  return RESPONSE_ALREADY_SENT;
}
