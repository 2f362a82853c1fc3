import type { Logger } from "pino";
import { z } from "zod";
import { relayedTokenSchema } from "./relay-state";
import { withSlash } from "./upstream";

const tokensAnswerSchema = z.object({
  relay: z.object({ id: z.string(), name: z.string(), environments: z.array(z.string()) }),
  tokens: z.array(relayedTokenSchema),
});

export type TokensAnswer = z.infer<typeof tokensAnswerSchema>;

export interface TokenPollerOptions {
  serverUrl: string;
  token: string;
  intervalMs: number;
  logger: Logger;
  /** A new list (the first, or one that changed). */
  onTokens(answer: TokensAnswer): void;
  /** The server no longer accepts the relay's own token: downstream tokens must stop working too. */
  onRevoked(message: string): void;
}

/**
 * Asks the server which server and client tokens the relay may accept (`GET /api/relay/tokens`,
 * hashes only): at once when an upstream stream says a token changed (`event: tokens`), and every
 * `intervalMs` in case that notice was missed (a stream reconnecting). With `If-None-Match` the
 * usual answer is an empty 304.
 */
export class TokenPoller {
  private etag: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Asked for while a poll was under way: its answer may predate the change, so one more follows. */
  private again = false;
  /** When the last answer (200 or 304) came; undefined before the first. */
  lastAnswerAt: number | undefined;

  constructor(private readonly options: TokenPollerOptions) {}

  /** The first poll, awaited: a relay starting with no backup learns its environments from it. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    const { serverUrl, token, logger } = this.options;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (this.etag !== undefined) headers["if-none-match"] = this.etag;
      const response = await fetch(new URL("api/relay/tokens", withSlash(serverUrl)), {
        headers,
        signal: AbortSignal.timeout(Math.max(5_000, this.options.intervalMs)),
      });
      if (response.status === 304) {
        this.lastAnswerAt = Date.now();
        return;
      }
      if (response.status === 401 || response.status === 403) {
        this.etag = undefined;
        this.lastAnswerAt = Date.now();
        this.options.onRevoked(await response.text().catch(() => ""));
        return;
      }
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const parsed = tokensAnswerSchema.safeParse(await response.json());
      if (!parsed.success) throw new Error(`unexpected token list: ${parsed.error.issues[0]?.message ?? ""}`);
      this.etag = response.headers.get("etag") ?? undefined;
      this.lastAnswerAt = Date.now();
      this.options.onTokens(parsed.data);
    } catch (error) {
      // The server is down or slow: the relay keeps the tokens it has (and its last state).
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, "token list not refreshed");
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        void this.poll();
      }
    }
  }
}
