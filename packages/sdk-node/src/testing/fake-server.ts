import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FlagDefinition, Segment } from "@switchyard/core";
import type { SdkSnapshot } from "../payloads";

/*
 * A stand-in for the Switchyard server's SDK endpoints, speaking docs/sdk-protocol.md: the
 * SSE framing, ETags, error bodies. Tests drive it (publish changes, refuse, go silent) and
 * read what it received. Not part of the package's entry points.
 */

export const FAKE_TOKEN = "srv_test_token";

export type Refusal = { status: number; message?: string };

export interface StreamConnection {
  readonly headers: IncomingMessage["headers"];
  readonly lastEventId: string | undefined;
  readonly closed: Promise<void>;
  /** Whether the server answered this connection with a full `put` (rather than a replay). */
  sentPut: boolean;
  isClosed(): boolean;
  /** Ends the response from the server side. */
  end(): void;
}

export interface RequestRecord {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
}

interface SseEvent {
  id: number;
  type: "put" | "patch" | "delete";
  data: string;
}

interface OpenStream extends StreamConnection {
  response: ServerResponse;
  silent: boolean;
}

export interface FakeServerOptions {
  snapshot?: SdkSnapshot;
  /** Send `: heartbeat` on every open stream this often (default: never). */
  heartbeatMs?: number;
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

export class FakeServer {
  snapshot: SdkSnapshot;
  /** When set, `GET /api/sdk/stream` answers with this status instead of streaming. */
  refuseStream: Refusal | undefined;
  /** When set, `GET /api/sdk/flags` answers with this status. */
  refuseFlags: Refusal | undefined;
  /** When set, `POST /api/sdk/metrics` answers with this status. */
  refuseMetrics: Refusal | undefined;
  /** Refuse metrics reports carrying `contexts` with 400, as servers before that field do. */
  refuseContexts = false;
  /** Accept streams but never write to them (not even the put). */
  silentStreams = false;
  /** End every stream right after its first events, as a broken server or proxy would. */
  hangUpAfterFirstEvents = false;
  /** Stream requests wait unanswered while this is set, until `releaseStreams()`. */
  holdStreams = false;
  private held: Array<() => void> = [];
  /** Whether a `Last-Event-ID` reconnect gets a replay of the gap (else a fresh put). */
  replay = true;
  readonly requests: RequestRecord[] = [];
  readonly streams: StreamConnection[] = [];
  readonly metrics: unknown[] = [];
  private readonly log: SseEvent[] = [];
  private readonly open = new Set<OpenStream>();
  private readonly server: Server;
  private heartbeat: NodeJS.Timeout | undefined;
  private port = 0;

  constructor(private readonly options: FakeServerOptions = {}) {
    this.snapshot = options.snapshot ?? { environment: "test", version: 1, flags: [], segments: [] };
    this.server = createServer((request, response) => this.handle(request, response));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get version(): number {
    return this.snapshot.version;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    // Parsed boundary: a TCP server listening on a port has an AddressInfo address.
    this.port = (this.server.address() as AddressInfo).port;
    if (this.options.heartbeatMs !== undefined) {
      this.heartbeat = setInterval(() => this.writeAll(": heartbeat\n\n"), this.options.heartbeatMs);
    }
    return this;
  }

  openStreams(): StreamConnection[] {
    return [...this.open];
  }

  requestsTo(path: string): RequestRecord[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Upserts a flag (its config version bumped) and sends a `patch` to every open stream. */
  patchFlag(flag: FlagDefinition): void {
    const version = this.snapshot.version + 1;
    this.snapshot = { ...this.snapshot, version, flags: [...this.snapshot.flags.filter((f) => f.key !== flag.key), flag] };
    this.publish("patch", JSON.stringify({ version, flag }));
  }

  patchSegment(segment: Segment): void {
    const version = this.snapshot.version + 1;
    const segments = [...this.snapshot.segments.filter((s) => s.key !== segment.key), segment];
    this.snapshot = { ...this.snapshot, version, segments };
    this.publish("patch", JSON.stringify({ version, segment }));
  }

  deleteFlag(key: string): void {
    const version = this.snapshot.version + 1;
    this.snapshot = { ...this.snapshot, version, flags: this.snapshot.flags.filter((f) => f.key !== key) };
    this.publish("delete", JSON.stringify({ version, flag: key }));
  }

  /** Replaces the whole snapshot and sends a `put` with it. */
  put(snapshot: SdkSnapshot): void {
    this.snapshot = snapshot;
    this.publish("put", JSON.stringify(snapshot));
  }

  /** Writes raw text to every open stream (to send malformed events or comments). */
  writeAll(text: string): void {
    for (const stream of this.open) if (!stream.silent) stream.response.write(text);
  }

  /** Answers the stream requests held by `holdStreams`, and stops holding. */
  releaseStreams(): void {
    this.holdStreams = false;
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }

  /** Stream requests waiting for `releaseStreams()`. */
  heldStreams(): number {
    return this.held.length;
  }

  /** Drops every open stream connection, as a crash or a proxy would. */
  dropStreams(): void {
    for (const stream of this.open) stream.response.socket?.destroy();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const stream of this.open) stream.response.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private publish(type: SseEvent["type"], data: string): void {
    const event: SseEvent = { id: this.snapshot.version, type, data };
    this.log.push(event);
    for (const stream of this.open) if (!stream.silent) stream.response.write(frame(event));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? "/", "http://fake").pathname;
    this.requests.push({ method: request.method ?? "GET", path, headers: request.headers });
    if (request.headers.authorization !== `Bearer ${FAKE_TOKEN}`) {
      response.writeHead(401, { "Content-Type": "application/json" }).end(errorBody("UNAUTHORIZED", "Unknown token"));
      return;
    }
    if (request.method === "GET" && path === "/api/sdk/flags") return this.flags(request, response);
    if (request.method === "GET" && path === "/api/sdk/stream") return this.stream(request, response);
    if (request.method === "POST" && path === "/api/sdk/metrics") return this.collectMetrics(request, response);
    response.writeHead(404, { "Content-Type": "application/json" }).end(errorBody("NOT_FOUND", "No such route"));
  }

  private refuse(response: ServerResponse, refusal: Refusal): void {
    response
      .writeHead(refusal.status, { "Content-Type": "application/json" })
      .end(errorBody("REFUSED", refusal.message ?? `refused with ${refusal.status}`));
  }

  private flags(request: IncomingMessage, response: ServerResponse): void {
    if (this.refuseFlags !== undefined) return this.refuse(response, this.refuseFlags);
    const etag = `W/"${this.snapshot.version}"`;
    if (request.headers["if-none-match"] === etag) {
      response.writeHead(304, { ETag: etag }).end();
      return;
    }
    response.writeHead(200, { "Content-Type": "application/json", ETag: etag }).end(JSON.stringify(this.snapshot));
  }

  private stream(request: IncomingMessage, response: ServerResponse): void {
    if (this.holdStreams) {
      this.held.push(() => this.stream(request, response));
      return;
    }
    if (this.refuseStream !== undefined) return this.refuse(response, this.refuseStream);
    const header = request.headers["last-event-id"];
    const lastEventId = typeof header === "string" ? header : undefined;
    let markClosed = () => {};
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    let isClosed = false;
    const stream: OpenStream = {
      headers: request.headers,
      lastEventId,
      closed,
      sentPut: false,
      isClosed: () => isClosed,
      end: () => response.end(),
      response,
      silent: this.silentStreams,
    };
    response.on("close", () => {
      isClosed = true;
      this.open.delete(stream);
      markClosed();
    });
    this.streams.push(stream);
    this.open.add(stream);
    response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
    if (stream.silent) {
      response.flushHeaders();
      return;
    }
    const resumeFrom = lastEventId === undefined ? Number.NaN : Number(lastEventId);
    const gap = this.log.filter((event) => event.id > resumeFrom);
    const canReplay = this.replay && Number.isInteger(resumeFrom) && (this.log[0]?.id ?? Infinity) <= resumeFrom + 1;
    if (canReplay) {
      for (const event of gap) response.write(frame(event));
      if (gap.length === 0) response.write(": resumed\n\n");
    } else {
      stream.sentPut = true;
      response.write(frame({ id: this.snapshot.version, type: "put", data: JSON.stringify(this.snapshot) }));
    }
    if (this.hangUpAfterFirstEvents) response.end();
  }

  private collectMetrics(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (this.refuseMetrics !== undefined) return this.refuse(response, this.refuseMetrics);
      try {
        const report: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (this.refuseContexts && typeof report === "object" && report !== null && "contexts" in report)
          return this.refuse(response, { status: 400, message: 'Invalid metrics report: Unrecognized key: "contexts"' });
        this.metrics.push(report);
        response.writeHead(202).end();
      } catch {
        response.writeHead(400, { "Content-Type": "application/json" }).end(errorBody("BAD_REQUEST", "not JSON"));
      }
    });
  }
}

function frame(event: SseEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
}

export async function startFakeServer(options?: FakeServerOptions): Promise<FakeServer> {
  return new FakeServer(options).listen();
}

/** The URL of a port nothing listens on (a server that is down). */
export async function deadServerUrl(): Promise<string> {
  const server = await startFakeServer();
  const url = server.url;
  await server.close();
  return url;
}
