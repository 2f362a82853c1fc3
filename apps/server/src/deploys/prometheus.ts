/**
 * The Prometheus query source: a check may name a PromQL query instead of pushed samples, and the
 * server asks Prometheus's HTTP API for its value at the end of every interval
 * (`GET /api/v1/query?query=…&time=…`). Reading the value *at* the interval's end (not "now")
 * means a replica that was down, or a Prometheus that was briefly unreachable, can fill the
 * intervals it missed from Prometheus's own history.
 */

/** What one instant query gave: a value, no data (empty result, NaN), or why it failed. */
export type QueryOutcome =
  | { kind: "value"; value: number }
  | { kind: "no-data"; reason: string }
  /** The query itself is wrong (syntax, types, several series): asking again will not help. */
  | { kind: "invalid"; message: string }
  /** Prometheus did not answer usefully (down, timeout, 5xx): worth asking again. */
  | { kind: "unavailable"; message: string };

export interface PrometheusSource {
  /** Where it points, for messages (no credentials). */
  readonly origin: string;
  query(promql: string, at: Date): Promise<QueryOutcome>;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
const MAX_MESSAGE = 300;

/** `$interval` becomes the deploy's interval (`30s`), so `rate(x[$interval])` covers exactly one. */
export function expandQuery(query: string, intervalSeconds: number): string {
  return query.replaceAll("$interval", `${intervalSeconds}s`);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const clip = (text: string) => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text);

function sampleValue(pair: unknown): number | null {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== "string") return null;
  // Prometheus spells the specials as Go does: "NaN", "+Inf", "-Inf".
  const special: Record<string, number> = { NaN: Number.NaN, "+Inf": Number.POSITIVE_INFINITY, "-Inf": Number.NEGATIVE_INFINITY };
  if (Object.hasOwn(special, pair[1])) return special[pair[1]] ?? null;
  const value = Number(pair[1]);
  return Number.isNaN(value) || pair[1].trim() === "" ? null : value;
}

function valueOutcome(value: number | null): QueryOutcome {
  if (value === null) return { kind: "unavailable", message: "Prometheus answered a sample that is not a number" };
  // 0/0 (no traffic yet) is NaN and ±Inf a division by zero: no measurement, not a breach.
  if (!Number.isFinite(value)) return { kind: "no-data", reason: `the query evaluated to ${value}` };
  return { kind: "value", value };
}

/**
 * Interprets a `/api/v1/query` answer (status and parsed JSON body). A scalar or a vector of one
 * series is a value; an empty vector is no data; several series are ambiguous, so the query is
 * invalid for a check (aggregate it, e.g. with `sum(…)`).
 */
export function readQueryResponse(status: number, body: unknown): QueryOutcome {
  const record = isRecord(body) ? body : {};
  if (record.status === "error" || status >= 400) {
    const message = typeof record.error === "string" ? clip(record.error) : `HTTP ${status}`;
    // 400 bad_data (parse errors) and 422 execution errors are the query's fault; the rest is Prometheus's.
    if (status === 400 || status === 422 || record.errorType === "bad_data") return { kind: "invalid", message };
    return { kind: "unavailable", message: `Prometheus answered ${status}: ${message}` };
  }
  const data = isRecord(record.data) ? record.data : {};
  if (data.resultType === "scalar") return valueOutcome(sampleValue(data.result));
  if (data.resultType === "vector" && Array.isArray(data.result)) {
    const series: unknown[] = data.result;
    if (series.length === 0) return { kind: "no-data", reason: "the query returned no series" };
    if (series.length > 1)
      return {
        kind: "invalid",
        message: `the query returned ${series.length} series; a check needs one value — aggregate it, e.g. sum(…)`,
      };
    const only = series[0];
    return valueOutcome(isRecord(only) ? sampleValue(only.value) : null);
  }
  if (data.resultType === "matrix")
    return {
      kind: "invalid",
      message: "the query returned a range vector; a check needs an instant value (e.g. wrap it in rate(…) or avg_over_time(…))",
    };
  return { kind: "unavailable", message: "Prometheus answered something that is not a query result" };
}

/**
 * The most of an answer the client reads. One value is a few hundred bytes; a megabyte is
 * thousands of series, which a check refuses anyway, and a misconfigured or hostile endpoint
 * must not make the server buffer without limit.
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** The body as text, or undefined once it passes `maxBytes` (the rest is not read). */
async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    bytes += chunk.value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text + decoder.decode();
}

export interface PrometheusClientOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** A client for one Prometheus (or anything speaking its query API: Thanos, Mimir, VictoriaMetrics). */
export function prometheusClient(baseUrl: string, options: PrometheusClientOptions = {}): PrometheusSource {
  const base = new URL(baseUrl);
  const origin = base.origin;
  const endpoint = new URL(`${base.pathname.replace(/\/+$/, "")}/api/v1/query`, base);
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (base.username !== "")
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString("base64")}`;
  endpoint.username = "";
  endpoint.password = "";
  return {
    origin,
    async query(promql, at) {
      // POST: a long query does not hit URL length limits; Prometheus takes both.
      const body = new URLSearchParams({ query: promql, time: (at.getTime() / 1000).toFixed(3) });
      let response: Response;
      try {
        response = await doFetch(endpoint, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const reason =
          error instanceof Error && error.name === "TimeoutError"
            ? `no answer within ${timeoutMs} ms`
            : error instanceof Error
              ? error.cause instanceof Error
                ? error.cause.message
                : error.message
              : String(error);
        return { kind: "unavailable", message: `Prometheus at ${origin} is unreachable: ${clip(reason)}` };
      }
      let parsed: unknown;
      try {
        const text = await readCapped(response, MAX_ANSWER_BYTES);
        if (text === undefined)
          return {
            kind: "invalid",
            message: `Prometheus at ${origin} answered more than ${MAX_ANSWER_BYTES / 1024 / 1024} MB; a check needs one value — aggregate the query, e.g. sum(…)`,
          };
        parsed = JSON.parse(text);
      } catch {
        return response.ok
          ? { kind: "unavailable", message: `Prometheus at ${origin} answered something that is not JSON` }
          : readQueryResponse(response.status, {});
      }
      return readQueryResponse(response.status, parsed);
    },
  };
}
