import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "./app-env";
import { type RateLimit, TokenBuckets } from "./rate-limit";

/** Bounds on what anyone on the internet can make one replica hold or do. */
export interface PublicLimits {
  /** Open SDK and client streams per API token (one client token may serve a whole site). */
  maxStreamsPerToken: number;
  /** Open streams per client address (an office behind one NAT is one address). */
  maxStreamsPerAddress: number;
  /** Behind a reverse proxy: the client address is the last `X-Forwarded-For` entry, not the socket's. */
  trustProxy: boolean;
  /** Failed authentications per address before its requests carrying a token get 429 for a while. */
  authFailures: RateLimit;
}

/**
 * Per token on `/api/client/*` and `/ofrep/*`: one client token serves a whole site, so it is
 * generous. It stops a runaway loop; it does not meter use.
 */
export const DEFAULT_CLIENT_RATE_LIMIT: RateLimit = { requestsPerSecond: 1_000, burst: 2_000 };

export const DEFAULT_PUBLIC_LIMITS: PublicLimits = {
  maxStreamsPerToken: 25_000,
  maxStreamsPerAddress: 1_000,
  trustProxy: false,
  authFailures: { requestsPerSecond: 20, burst: 200 },
};

/**
 * The address a request came from: the socket's, or the proxy's `X-Forwarded-For` entry when it
 * is trusted. `undefined` where there is no socket (a request handed to `app.fetch` by other code):
 * such requests are not lumped together under one made-up address.
 */
export function clientAddress(c: Context<AppEnv>, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for");
    const last = forwarded?.split(",").at(-1)?.trim();
    if (last) return last;
  }
  const env: unknown = c.env;
  if (typeof env === "object" && env !== null && "incoming" in env) {
    const address = (env as { incoming: { socket?: { remoteAddress?: string } } }).incoming.socket?.remoteAddress;
    if (address) return address;
  }
  return undefined;
}

/** Counts open streams per token and per address; `admit` refuses one over either cap with 429. */
export class StreamAdmission {
  private readonly byToken = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly limits: Pick<PublicLimits, "maxStreamsPerToken" | "maxStreamsPerAddress">) {}

  /** Returns the release function, to call once when the stream ends. */
  admit(tokenId: string, address: string | undefined): () => void {
    const forToken = this.byToken.get(tokenId) ?? 0;
    const forAddress = address === undefined ? 0 : (this.byAddress.get(address) ?? 0);
    if (forToken >= this.limits.maxStreamsPerToken)
      throw new AppError("RATE_LIMITED", `This token already has ${forToken} open streams on this server, its limit; close some first`);
    if (forAddress >= this.limits.maxStreamsPerAddress)
      throw new AppError("RATE_LIMITED", `This address already has ${forAddress} open streams on this server, its limit; close some first`);
    this.byToken.set(tokenId, forToken + 1);
    if (address !== undefined) this.byAddress.set(address, forAddress + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.byToken, tokenId);
      if (address !== undefined) decrement(this.byAddress, address);
    };
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 1) - 1;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}

/**
 * Failed authentication (401) is throttled per address: after `authFailures.burst` failures (then
 * `requestsPerSecond`), that address's requests carrying a token get 429 until its budget refills.
 * A guess costs the guesser a second; a valid token from the same address waits too, which is
 * why the budget is generous.
 */
export function throttleAuthFailures(limits: Pick<PublicLimits, "authFailures" | "trustProxy">): MiddlewareHandler<AppEnv> {
  const failures = new TokenBuckets(limits.authFailures);
  return async (c, next) => {
    const address = clientAddress(c, limits.trustProxy);
    if (address === undefined) return next();
    const waitSeconds = failures.wait(address);
    if (waitSeconds > 0 && carriesToken(c)) {
      c.header("Retry-After", String(waitSeconds));
      throw new AppError("RATE_LIMITED", `Too many failed authentications from this address; retry after ${waitSeconds} s`);
    }
    await next();
    if (c.res.status === 401) failures.take(address);
  };
}

function carriesToken(c: Context<AppEnv>): boolean {
  return c.req.header("authorization") !== undefined || c.req.query("token") !== undefined;
}
