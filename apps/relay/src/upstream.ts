import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { Logger } from "pino";
import { Backoff } from "../../../packages/sdk-node/src/backoff";
import { parseEvent, parseReportAfterMs, type DataUpdate } from "../../../packages/sdk-node/src/payloads";
import type { MetricsHint } from "../../server/src/live/metrics-hint";

/** Three missed server heartbeats (15 s each): the connection is dead even if no error says so. */
const IDLE_TIMEOUT_MS = 45_000;

export type UpstreamStatus = "connecting" | "current" | "down";

export interface UpstreamOptions {
  serverUrl: string;
  token: string;
  environment: string;
  /** Resume from here (a backup's state); afterwards, the last event id received. */
  lastEventId?: string | undefined;
  onUpdate(update: DataUpdate): void;
  onMetrics(hint: MetricsHint): void;
  /** `event: tokens`: a token was made or deleted at the server. */
  onTokensChanged?(): void;
  /** The server refused the relay's credential (401/403) or no longer has the environment (404). */
  onRefused?(status: number, message: string): void;
  logger: Logger;
  /** First retry ceiling and the largest wait between attempts (full jitter in between). */
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * One environment's upstream: the relay's SDK stream from the server
 * (`GET /api/relay/environments/{env}/stream`), read like an SDK reads its own, and reopened with
 * `Last-Event-ID`, backoff and jitter whenever it drops, so only missed changes are sent again.
 */
export class UpstreamStream {
  private state: UpstreamStatus = "connecting";
  private since = Date.now();
  private stopped = false;
  private controller: AbortController | undefined;
  private readonly backoff: Backoff;
  private wake: (() => void) | undefined;
  lastEventId: string | undefined;

  constructor(private readonly options: UpstreamOptions) {
    this.lastEventId = options.lastEventId;
    this.backoff = new Backoff(options.backoff?.initialMs ?? 250, options.backoff?.maxMs ?? 10_000);
  }

  get status(): { status: UpstreamStatus; since: string; lastEventId: string | null } {
    return { status: this.state, since: new Date(this.since).toISOString(), lastEventId: this.lastEventId ?? null };
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.wake?.();
  }

  private setStatus(status: UpstreamStatus): void {
    if (status === this.state) return;
    this.state = status;
    this.since = Date.now();
  }

  private async run(): Promise<void> {
    const { serverUrl, environment, logger } = this.options;
    const url = new URL(`api/relay/environments/${encodeURIComponent(environment)}/stream`, withSlash(serverUrl));
    while (!this.stopped) {
      const controller = new AbortController();
      this.controller = controller;
      let idle: NodeJS.Timeout | undefined;
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => controller.abort(new Error("no data or heartbeat from the server for 45 s")), IDLE_TIMEOUT_MS);
      };
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: "text/event-stream" };
        if (this.lastEventId !== undefined) headers["last-event-id"] = this.lastEventId;
        touch();
        const response = await fetch(url, { headers, signal: controller.signal });
        if (!response.ok || response.body === null) {
          const message = await response.text().catch(() => "");
          if ([401, 403, 404].includes(response.status)) this.options.onRefused?.(response.status, message);
          throw new Error(`the server answered ${response.status} ${message.slice(0, 200)}`);
        }
        this.setStatus("current");
        this.backoff.reset();
        logger.info({ environment, lastEventId: this.lastEventId }, "upstream stream open");
        const parser = createParser({ onEvent: (event) => this.handle(event) });
        const decoder = new TextDecoder();
        for await (const chunk of response.body) {
          touch();
          parser.feed(decoder.decode(chunk, { stream: true }));
        }
        throw new Error("the server ended the stream");
      } catch (error) {
        if (this.stopped) break;
        this.setStatus("down");
        const delayMs = this.backoff.nextDelayMs();
        logger.warn(
          { environment, delayMs, err: error instanceof Error ? error.message : String(error) },
          "upstream stream lost; retrying",
        );
        await new Promise<void>((resume) => {
          this.wake = resume;
          setTimeout(resume, delayMs).unref();
        });
      } finally {
        clearTimeout(idle);
      }
    }
  }

  private handle(event: EventSourceMessage): void {
    if (event.event === "tokens") {
      this.options.onTokensChanged?.();
      return;
    }
    if (event.event === "metrics") {
      const reportAfterMs = parseReportAfterMs(event.data);
      this.options.onMetrics(reportAfterMs === undefined ? {} : { reportAfterMs });
      return;
    }
    const parsed = parseEvent(event.event ?? "message", event.data);
    if (!parsed.ok) {
      this.options.logger.warn({ environment: this.options.environment, problem: parsed.problem }, "unreadable event from the server");
      return;
    }
    this.options.onUpdate(parsed.value);
    if (event.id !== undefined) this.lastEventId = event.id;
  }
}

/** `new URL(path, base)` drops the base's last path segment unless it ends with a slash. */
export function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
