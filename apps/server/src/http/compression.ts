import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { MiddlewareHandler } from "hono";

/**
 * Response compression for the JSON answers SDKs and pages fetch over and over
 * (`GET /api/sdk/flags`, `POST /api/client/evaluate`, OFREP). Hono's `compress` middleware
 * speaks gzip and deflate only (CompressionStream); brotli is node:zlib, so one small
 * middleware does both. Mounted per route, never on streams: an SSE response is written straight
 * to the socket and must not be buffered (and the middleware skips `text/event-stream` anyway).
 *
 * - `Accept-Encoding` decides: brotli, else gzip, honouring `q` values (`q=0` refuses one).
 * - Bodies under `thresholdBytes` go out as they are: a few hundred bytes gain nothing.
 * - `Vary: Accept-Encoding` on every answer, compressed or not, so caches keep them apart.
 * - A compressed answer's ETag is weak (`W/"…"`): the bytes differ from the plain answer's,
 *   the meaning does not. If-None-Match compares weakly, so 304s keep working whichever
 *   representation the client holds.
 */

export const Encodings = { br: "br", gzip: "gzip" } as const;
export type Encoding = (typeof Encodings)[keyof typeof Encodings];

/** Smaller bodies are sent as they are. */
export const COMPRESSION_THRESHOLD_BYTES = 1_024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The encoding to answer with for this `Accept-Encoding`, or `undefined` for none. */
export function negotiateEncoding(header: string | undefined): Encoding | undefined {
  if (header === undefined) return undefined;
  const quality: Partial<Record<Encoding | "*", number>> = {};
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const value = q === undefined ? 1 : Number(q);
    if (name === "br" || name === "gzip" || name === "*") quality[name] = Number.isFinite(value) ? value : 0;
  }
  const br = quality.br ?? quality["*"] ?? 0;
  const gz = quality.gzip ?? quality["*"] ?? 0;
  if (br <= 0 && gz <= 0) return undefined;
  return br >= gz ? Encodings.br : Encodings.gzip;
}

/**
 * Compresses `body`. `quality` "best" is for bodies compressed once and served many times
 * (brotli 11); "fast" for per-request bodies (brotli 5, about gzip's speed, smaller output).
 */
export async function compressBody(body: Uint8Array, encoding: Encoding, quality: "best" | "fast"): Promise<Uint8Array> {
  if (encoding === Encodings.gzip) return new Uint8Array(await gzipAsync(body, { level: quality === "best" ? 9 : 6 }));
  const params = { [constants.BROTLI_PARAM_QUALITY]: quality === "best" ? 11 : 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength };
  return new Uint8Array(await brotli(body, { params }));
}

/** Compressed bodies by ETag and encoding, for answers whose ETag names their bytes (the SDK payload). */
class CompressedByEtag {
  private readonly entries = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly capacity: number) {}

  get(etag: string, encoding: Encoding, compute: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const key = `${encoding} ${etag}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = compute();
      this.entries.set(key, entry);
      entry.catch(() => this.entries.delete(key));
      // Oldest first: an environment's previous versions leave as new ones arrive.
      for (const oldest of this.entries.keys()) {
        if (this.entries.size <= this.capacity) break;
        this.entries.delete(oldest);
      }
    }
    return entry;
  }
}

function addVary(headers: Headers): void {
  const vary = headers.get("vary");
  if (vary === null) headers.set("Vary", "Accept-Encoding");
  else if (!/(^|,)\s*accept-encoding\s*(,|$)/i.test(vary)) headers.set("Vary", `${vary}, Accept-Encoding`);
}

function weakened(etag: string | null): string | null {
  return etag === null || etag.startsWith("W/") ? etag : `W/${etag}`;
}

export interface CompressionOptions {
  thresholdBytes?: number;
  /**
   * The route's ETag identifies its body exactly (as `W/"<environment>-<version>"` does for the
   * SDK payload): compress each body once, at the best quality, and keep the last few.
   */
  cacheByEtag?: boolean;
}

export function compressJson(options: CompressionOptions = {}): MiddlewareHandler {
  const threshold = options.thresholdBytes ?? COMPRESSION_THRESHOLD_BYTES;
  const cache = options.cacheByEtag ? new CompressedByEtag(64) : undefined;
  return async (c, next) => {
    await next();
    const response = c.res;
    addVary(response.headers);
    const encoding = negotiateEncoding(c.req.header("accept-encoding"));
    if (encoding === undefined) return;
    if (response.status === 304) {
      const etag = weakened(response.headers.get("etag"));
      if (etag !== null) response.headers.set("ETag", etag);
      return;
    }
    const type = response.headers.get("content-type") ?? "";
    if (response.status !== 200 || response.body === null || response.headers.has("content-encoding") || !type.includes("json")) return;
    const raw = new Uint8Array(await response.arrayBuffer());
    if (raw.byteLength < threshold) {
      c.res = new Response(raw, response);
      return;
    }
    const etag = response.headers.get("etag");
    const compressed =
      cache !== undefined && etag !== null
        ? await cache.get(etag, encoding, () => compressBody(raw, encoding, "best"))
        : await compressBody(raw, encoding, "fast");
    // Hono copies the old response's headers onto the new one, so the changed ones are set after.
    c.res = new Response(compressed, response);
    c.res.headers.set("Content-Encoding", encoding);
    c.res.headers.set("Content-Length", String(compressed.byteLength));
    const weakEtag = weakened(etag);
    if (weakEtag !== null) c.res.headers.set("ETag", weakEtag);
  };
}
