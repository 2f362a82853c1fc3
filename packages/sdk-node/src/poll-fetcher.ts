import { authorization, readErrorDetail, REQUEST_TIMEOUT_MS } from "./endpoints";
import { describeError } from "./errors";
import { type FailureReport, type Fetcher, type FetcherSink, FailureKinds } from "./fetcher";
import type { FetchFunction } from "./options";
import { parseSnapshot } from "./payloads";
import { SDK_NAME } from "./sdk-info";

export interface PollFetcherOptions {
  url: string;
  token: string;
  fetch: FetchFunction;
  pollIntervalMs: number;
  sink: FetcherSink;
}

/**
 * Polls `GET /api/sdk/flags` every `pollIntervalMs`, first at once. Sends the last ETag as
 * `If-None-Match`, so an unchanged environment costs a 304 and no body.
 */
export class PollFetcher implements Fetcher {
  private etag: string | undefined;
  private running = false;
  /** Bumped by start and stop, so a request that outlived a stop cannot start a second loop. */
  private generation = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private controller: AbortController | undefined;

  constructor(private readonly options: PollFetcherOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation += 1;
    void this.poll(this.generation);
  }

  stop(): void {
    this.running = false;
    this.generation += 1;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
    this.controller = undefined;
  }

  private async poll(generation: number): Promise<void> {
    this.timer = undefined;
    const controller = new AbortController();
    this.controller = controller;
    try {
      await this.request(generation, controller.signal);
    } catch (error) {
      if (generation !== this.generation) return;
      this.fail({ kind: FailureKinds.NETWORK, message: describeError(error) });
    } finally {
      if (this.controller === controller) this.controller = undefined;
      if (generation === this.generation) {
        this.timer = setTimeout(() => void this.poll(generation), this.options.pollIntervalMs);
        this.timer.unref();
      }
    }
  }

  private async request(generation: number, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = {
      Authorization: authorization(this.options.token),
      Accept: "application/json",
      "User-Agent": SDK_NAME,
    };
    if (this.etag !== undefined) headers["If-None-Match"] = this.etag;
    const response = await this.options.fetch(this.options.url, {
      method: "GET",
      headers,
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
    if (generation !== this.generation) {
      await response.body?.cancel();
      return;
    }
    if (response.status === 304) {
      await response.body?.cancel();
      this.failures = 0;
      this.options.sink.confirmed();
      return;
    }
    if (response.status !== 200) {
      const detail = await readErrorDetail(response);
      this.fail({ kind: FailureKinds.STATUS, status: response.status, message: detail });
      return;
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (generation !== this.generation) return;
    const snapshot = parseSnapshot(body);
    if (!snapshot.ok) {
      this.fail({ kind: FailureKinds.PAYLOAD, message: `GET /api/sdk/flags: ${snapshot.problem}` });
      return;
    }
    this.failures = 0;
    this.etag = response.headers.get("etag") ?? undefined;
    this.options.sink.update({ kind: "put", snapshot: snapshot.value });
  }

  private fail(failure: FailureReport): void {
    this.failures += 1;
    this.options.sink.failure({ ...failure, consecutiveFailures: this.failures });
  }
}
