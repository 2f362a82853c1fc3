import type { StreamEvent } from "../events/sdk-events";

/** Where a stream's events go; the route adapts Hono's SSE helper to this. */
export interface SseSink {
  /** Queues the event; writes to one sink keep their order. */
  send(event: StreamEvent): void;
  heartbeat(): void;
  close(): void;
}
