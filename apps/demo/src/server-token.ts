import { TokenKinds, type DemoConfig } from "./config";
import { StartupError } from "./startup-error";

/** The server token the SDK uses; `created` when the demo made it from an admin token. */
export interface ServerToken {
  token: string;
  created: { id: string; name: string; environment: string } | null;
}

/** The name of the token the demo creates with an admin token (one per start; deleted at exit). */
export const DEMO_TOKEN_NAME = "demo-checkout";

const REQUEST_TIMEOUT_MS = 5_000;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** One call to the server's API; every failure becomes a `StartupError` saying what to do. */
async function call(
  config: DemoConfig,
  fetch: Fetch,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${config.switchyardUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${config.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    throw new StartupError(
      `Cannot reach Switchyard at ${config.switchyardUrl} (${cause}). Is the server running? Start it with \`npx -y pnpm@10.34.8 start\`, or set SWITCHYARD_URL.`,
    );
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the error message
  }
  return { status: res.status, body: parsed };
}

function errorText(answer: { status: number; body: unknown }): string {
  const error = isRecord(answer.body) && isRecord(answer.body.error) ? answer.body.error : undefined;
  if (error !== undefined && typeof error.message === "string") return `${answer.status} ${String(error.code ?? "")}: ${error.message}`;
  return `${answer.status}: ${String(answer.body).slice(0, 200)}`;
}

/** Is the token an admin token? Asked of the server when its prefix does not say. */
async function isAdmin(config: DemoConfig, fetch: Fetch): Promise<boolean> {
  if (config.tokenKind !== TokenKinds.unknown) return config.tokenKind === TokenKinds.admin;
  const answer = await call(config, fetch, "GET", "/api/environments");
  if (answer.status === 401)
    throw new StartupError(
      `Switchyard rejected SWITCHYARD_TOKEN (${errorText(answer)}). Use the admin token the server printed at its first start.`,
    );
  return answer.status === 200;
}

/**
 * The token for the SDK: `SWITCHYARD_TOKEN` itself when it is a server token, or a new server
 * token for `DEMO_ENV` when it is an admin token — so the quick start's one printed token is
 * all a new user needs.
 */
export async function serverToken(config: DemoConfig, fetch: Fetch = globalThis.fetch): Promise<ServerToken> {
  const health = await call(config, fetch, "GET", "/healthz");
  if (health.status !== 200)
    throw new StartupError(`Switchyard at ${config.switchyardUrl} is not healthy: GET /healthz answered ${errorText(health)}`);
  if (!(await isAdmin(config, fetch))) return { token: config.token, created: null };
  const answer = await call(config, fetch, "POST", "/api/tokens", {
    name: DEMO_TOKEN_NAME,
    kind: "server",
    environment: config.environment,
  });
  if (answer.status === 401)
    throw new StartupError(
      `Switchyard rejected SWITCHYARD_TOKEN (${errorText(answer)}). Use the admin token the server printed at its first start.`,
    );
  if (answer.status !== 201 || !isRecord(answer.body) || typeof answer.body.token !== "string" || typeof answer.body.id !== "string") {
    throw new StartupError(
      `Could not create a server token for '${config.environment}' (DEMO_ENV): POST /api/tokens answered ${errorText(answer)}`,
    );
  }
  return { token: answer.body.token, created: { id: answer.body.id, name: DEMO_TOKEN_NAME, environment: config.environment } };
}

/** Deletes the token the demo created; a failure is only reported, the demo is stopping anyway. */
export async function deleteCreatedToken(config: DemoConfig, token: ServerToken, fetch: Fetch = globalThis.fetch): Promise<string> {
  if (token.created === null) return "";
  try {
    const answer = await call(config, fetch, "DELETE", `/api/tokens/${encodeURIComponent(token.created.id)}`);
    if (answer.status === 200) return `Deleted the server token ${token.created.name} (${token.created.id}) it created.`;
    return `Could not delete the server token ${token.created.name} (${token.created.id}): ${errorText(answer)}`;
  } catch (error) {
    return `Could not delete the server token ${token.created.name} (${token.created.id}): ${error instanceof Error ? error.message : String(error)}`;
  }
}
