/**
 * The demo's settings, from the environment, parsed once at start. Every problem is listed at
 * once (t3-env style) so a first-time user fixes them in one go instead of one per restart.
 */

/** What kind of secret `SWITCHYARD_TOKEN` is, from its `sy_<kind>_` prefix. */
export const TokenKinds = {
  admin: "admin",
  server: "server",
  /** A custom secret (`SWITCHYARD_ADMIN_TOKEN` may be any string): the server is asked. */
  unknown: "unknown",
} as const;
export type TokenKind = (typeof TokenKinds)[keyof typeof TokenKinds];

export interface DemoConfig {
  switchyardUrl: string;
  token: string;
  tokenKind: TokenKind;
  /** The environment an admin token creates the demo's server token for. */
  environment: string;
  flag: string;
  port: number;
  /** Synthetic checkouts per second. */
  requestsPerSecond: number;
  /** Call the SDK's `track()`; without it only `/metrics` sees the errors. */
  track: boolean;
}

export type ConfigResult = { ok: true; config: DemoConfig; notes: string[] } | { ok: false; problems: string[] };

export const DEFAULTS = {
  switchyardUrl: "http://127.0.0.1:4242",
  environment: "production",
  flag: "new-checkout",
  port: 4300,
  requestsPerSecond: 50,
} as const;

/** Above this one process spends its time on synthetic traffic instead of serving the demo. */
export const MAX_REQUESTS_PER_SECOND = 5_000;

const WRONG_KINDS: Record<string, string> = {
  client: "a client token (for browsers; it never sees flag rules)",
  deploy: "a deploy token (for pipelines)",
};

function tokenKindOf(token: string): TokenKind | string {
  const kind = /^sy_([a-z]+)_/.exec(token)?.[1];
  if (kind === "admin") return TokenKinds.admin;
  if (kind === "server") return TokenKinds.server;
  return kind !== undefined && Object.hasOwn(WRONG_KINDS, kind) ? kind : TokenKinds.unknown;
}

export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  // An empty variable means "not set": shells and compose files often export blanks.
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const problems: string[] = [];
  const notes: string[] = [];

  const switchyardUrl = (get("SWITCHYARD_URL") ?? DEFAULTS.switchyardUrl).replace(/\/+$/, "");
  if (!isHttpUrl(switchyardUrl)) problems.push(`SWITCHYARD_URL: must be an http:// or https:// URL, not '${switchyardUrl}'`);

  const token = get("SWITCHYARD_TOKEN") ?? "";
  const kind = tokenKindOf(token);
  let tokenKind: TokenKind = TokenKinds.unknown;
  if (token === "") {
    problems.push(
      "SWITCHYARD_TOKEN: required — the admin token the server printed at its first start (sy_admin_…), or a server token of one environment (sy_server_…)",
    );
  } else if (kind === TokenKinds.admin || kind === TokenKinds.server || kind === TokenKinds.unknown) {
    tokenKind = kind;
  } else {
    problems.push(
      `SWITCHYARD_TOKEN: is ${WRONG_KINDS[kind] ?? `a ${kind} token`}; the demo needs an admin token (sy_admin_…) or a server token (sy_server_…)`,
    );
  }

  const environment = get("DEMO_ENV") ?? DEFAULTS.environment;
  if (get("DEMO_ENV") !== undefined && tokenKind === TokenKinds.server) {
    notes.push("DEMO_ENV is ignored: a server token belongs to one environment already");
  }

  const flag = get("DEMO_FLAG") ?? DEFAULTS.flag;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(flag)) problems.push(`DEMO_FLAG: must be a flag key (letters, digits, . _ -), not '${flag}'`);

  const port = integerSetting(get("DEMO_PORT"), DEFAULTS.port, "DEMO_PORT", 0, 65_535, problems);
  const requestsPerSecond = numberSetting(get("DEMO_RPS"), DEFAULTS.requestsPerSecond, "DEMO_RPS", problems);
  const track = booleanSetting(get("DEMO_TRACK"), true, "DEMO_TRACK", problems);

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: { switchyardUrl, token, tokenKind, environment, flag, port, requestsPerSecond, track }, notes };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function integerSetting(text: string | undefined, fallback: number, name: string, min: number, max: number, problems: string[]): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    problems.push(`${name}: must be a whole number from ${min} to ${max}, not '${text}'`);
    return fallback;
  }
  return value;
}

function numberSetting(text: string | undefined, fallback: number, name: string, problems: string[]): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0) || value > MAX_REQUESTS_PER_SECOND) {
    problems.push(`${name}: must be a number of requests per second above 0 and at most ${MAX_REQUESTS_PER_SECOND}, not '${text}'`);
    return fallback;
  }
  return value;
}

function booleanSetting(text: string | undefined, fallback: boolean, name: string, problems: string[]): boolean {
  if (text === undefined) return fallback;
  const lower = text.toLowerCase();
  const value = lower === "true" || lower === "1" ? true : lower === "false" || lower === "0" ? false : undefined;
  if (value === undefined) {
    problems.push(`${name}: must be true or false, not '${text}'`);
    return fallback;
  }
  return value;
}
