import type { SdkSnapshot } from "./payloads";

/** Where the SDK reports problems. Any object with `warn` and `error` (console, pino, …). */
export interface Logger {
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** The subset of `fetch` the SDK uses; the global `fetch` fits. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** Base URL of the Switchyard server, e.g. `https://flags.example.com`. Required. */
  url: string;
  /** A `server` token of one environment. Required. */
  token: string;
  /** Stream changes over SSE (default `true`); when false, or while the stream fails, poll. */
  stream?: boolean;
  /** Polling period when streaming is off or failing (default 30000). */
  pollIntervalMs?: number;
  /** `ready()` rejects after this long without data (default 5000). */
  readyTimeoutMs?: number;
  /** A `GET /api/sdk/flags` body (checked like one), served at once until newer data arrives. */
  bootstrap?: SdkSnapshot;
  /** Path of a backup file: read at start, rewritten atomically after each update (default: none). */
  backupFile?: string;
  /** Period of metrics reports (default 60000). */
  metricsIntervalMs?: number;
  /** Send evaluation counts and `track` events (default `true`). */
  sendMetrics?: boolean;
  /**
   * Send a sample of the contexts evaluated (at most 1,000 a report: each context's key and the
   * attributes the environment's rules, segments and rollouts read) with the counts, so the server
   * can preview whom a change would flip (default `true`; needs `sendMetrics`).
   */
  sendContexts?: boolean;
  /**
   * Attributes never sent in the context sample, even when a rule reads them (default none).
   * Attribute paths: `user` withholds everything under `user`, `user.email` only that.
   */
  privateAttributes?: string[];
  /** Default `console`. */
  logger?: Logger;
  /** Default the global `fetch`. */
  fetch?: FetchFunction;
  /** A stream without any byte (event or heartbeat) for this long is reopened (default 45000). */
  heartbeatTimeoutMs?: number;
  /** First reconnect delay; doubles per consecutive failure, with full jitter (default 1000). */
  initialRetryDelayMs?: number;
  /** Cap of the reconnect delay (default 30000). */
  maxRetryDelayMs?: number;
}

export interface ResolvedOptions {
  baseUrl: URL;
  token: string;
  stream: boolean;
  pollIntervalMs: number;
  readyTimeoutMs: number;
  bootstrap: unknown;
  backupFile: string | undefined;
  metricsIntervalMs: number;
  sendMetrics: boolean;
  sendContexts: boolean;
  privateAttributes: ReadonlySet<string>;
  logger: Logger;
  fetch: FetchFunction;
  heartbeatTimeoutMs: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
}

export const DEFAULT_OPTIONS = {
  stream: true,
  pollIntervalMs: 30_000,
  readyTimeoutMs: 5_000,
  metricsIntervalMs: 60_000,
  sendMetrics: true,
  sendContexts: true,
  heartbeatTimeoutMs: 45_000,
  initialRetryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
} as const;

const DURATION_OPTIONS = [
  "pollIntervalMs",
  "readyTimeoutMs",
  "metricsIntervalMs",
  "heartbeatTimeoutMs",
  "initialRetryDelayMs",
  "maxRetryDelayMs",
] as const;

// setTimeout clamps anything above 2^31-1 ms to 1 ms, which would turn a huge interval into a busy loop.
const MAX_TIMER_MS = 2_147_483_647;

function parseBaseUrl(url: unknown, problems: string[]): URL {
  const fallback = new URL("http://invalid.invalid/");
  if (typeof url !== "string" || url === "") {
    problems.push("url: required, the base URL of the Switchyard server");
    return fallback;
  }
  try {
    const parsed = new URL(url.endsWith("/") ? url : `${url}/`);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return parsed;
    problems.push(`url: must be http or https, got "${url}"`);
  } catch {
    problems.push(`url: not a valid URL: "${url}"`);
  }
  return fallback;
}

/** A logger that cannot throw: a broken logger must not turn an evaluation into an exception. */
function guardLogger(logger: Logger): Logger {
  return {
    warn(message, ...details) {
      try {
        logger.warn(message, ...details);
      } catch {
        // Nowhere left to report it.
      }
    },
    error(message, ...details) {
      try {
        logger.error(message, ...details);
      } catch {
        // Nowhere left to report it.
      }
    },
  };
}

/**
 * Applies defaults and checks every option at once; throws a TypeError listing each problem
 * (a misconfigured client is a programming error, better found at start than at first flag).
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const problems: string[] = [];
  const baseUrl = parseBaseUrl(options.url, problems);
  if (typeof options.token !== "string" || options.token === "") {
    problems.push("token: required, a server token of one environment");
  }
  for (const name of DURATION_OPTIONS) {
    const value = options[name];
    if (value !== undefined && !(typeof value === "number" && value > 0 && value <= MAX_TIMER_MS)) {
      problems.push(`${name}: must be a number of milliseconds between 1 and ${MAX_TIMER_MS}`);
    }
  }
  if (options.backupFile !== undefined && (typeof options.backupFile !== "string" || options.backupFile === "")) {
    problems.push("backupFile: must be a file path");
  }
  const privateAttributes = options.privateAttributes ?? [];
  if (!Array.isArray(privateAttributes) || !privateAttributes.every((a) => typeof a === "string")) {
    problems.push("privateAttributes: must be an array of attribute names");
  }
  const fetchFunction = options.fetch ?? globalThis.fetch;
  if (typeof fetchFunction !== "function") problems.push("fetch: no global fetch; pass one");
  if (problems.length > 0) {
    throw new TypeError(`Invalid Switchyard client options:\n- ${problems.join("\n- ")}`);
  }
  return {
    baseUrl,
    token: options.token,
    stream: options.stream ?? DEFAULT_OPTIONS.stream,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_OPTIONS.pollIntervalMs,
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_OPTIONS.readyTimeoutMs,
    bootstrap: options.bootstrap,
    backupFile: options.backupFile,
    metricsIntervalMs: options.metricsIntervalMs ?? DEFAULT_OPTIONS.metricsIntervalMs,
    sendMetrics: options.sendMetrics ?? DEFAULT_OPTIONS.sendMetrics,
    sendContexts: options.sendContexts ?? DEFAULT_OPTIONS.sendContexts,
    privateAttributes: new Set(privateAttributes),
    logger: guardLogger(options.logger ?? console),
    // Called detached from `globalThis`, which some fetch implementations reject.
    fetch: (url, init) => fetchFunction(url, init),
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? DEFAULT_OPTIONS.heartbeatTimeoutMs,
    initialRetryDelayMs: options.initialRetryDelayMs ?? DEFAULT_OPTIONS.initialRetryDelayMs,
    maxRetryDelayMs: Math.max(
      options.maxRetryDelayMs ?? DEFAULT_OPTIONS.maxRetryDelayMs,
      options.initialRetryDelayMs ?? DEFAULT_OPTIONS.initialRetryDelayMs,
    ),
  };
}
