import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "./app-env";

export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
}

const MAX_BUCKETS = 10_000;

/** One token bucket per key (an API token id, a browser instance), in memory, per replica. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** 0 when the request may go ahead; else how many whole seconds until one may (at least 1). */
  take(id: string): number {
    const now = this.nowMs();
    const { requestsPerSecond: rate, burst } = this.limit;
    const bucket = this.buckets.get(id);
    const tokens = bucket === undefined ? burst : Math.min(burst, bucket.tokens + ((now - bucket.atMs) / 1000) * rate);
    if (bucket === undefined && this.buckets.size >= MAX_BUCKETS) this.prune(now);
    if (tokens >= 1) {
      this.buckets.set(id, { tokens: tokens - 1, atMs: now });
      return 0;
    }
    this.buckets.set(id, { tokens, atMs: now });
    return Math.max(1, Math.ceil((1 - tokens) / rate));
  }

  /** Like `take`, without taking: 0 when a request could go ahead now. */
  wait(id: string): number {
    const bucket = this.buckets.get(id);
    if (bucket === undefined) return 0;
    const { requestsPerSecond: rate, burst } = this.limit;
    const tokens = Math.min(burst, bucket.tokens + ((this.nowMs() - bucket.atMs) / 1000) * rate);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / rate));
  }

  /** A bucket that has refilled is the same as no bucket. */
  private prune(now: number): void {
    const { requestsPerSecond: rate, burst } = this.limit;
    for (const [id, b] of this.buckets) if (b.tokens + ((now - b.atMs) / 1000) * rate >= burst) this.buckets.delete(id);
  }
}

/**
 * One bucket per API token, after authentication. Over the limit: 429 with `Retry-After` in whole
 * seconds (the error envelope, or `refuse`'s answer where a protocol has its own body).
 */
export function perTokenRateLimit(
  limit: RateLimit,
  refuse?: (c: Context<AppEnv>, waitSeconds: number) => Response,
): MiddlewareHandler<AppEnv> {
  const buckets = new TokenBuckets(limit);
  return async (c, next) => {
    const waitSeconds = buckets.take(c.get("token").id);
    if (waitSeconds === 0) return next();
    c.header("Retry-After", String(waitSeconds));
    if (refuse) return refuse(c, waitSeconds);
    throw new AppError("RATE_LIMITED", `Too many requests for this token; retry after ${waitSeconds} s`);
  };
}
