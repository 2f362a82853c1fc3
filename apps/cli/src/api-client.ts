import { CliError } from "./exit-codes";

export interface ApiClientOptions {
  url: string;
  token: string | undefined;
  fetch: typeof fetch;
  timeoutMs?: number;
}

/** The server's HTTP API — the only thing the CLI talks to. */
export interface ApiClient {
  getJson(path: string): Promise<unknown>;
  getText(path: string): Promise<string>;
  postJson(path: string, body: unknown): Promise<unknown>;
  patchJson(path: string, body: unknown): Promise<unknown>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.url.replace(/\/+$/, "");
  const request = async (method: string, path: string, body?: string): Promise<Response> => {
    if (options.token === undefined || options.token === "") {
      throw new CliError("No API token: pass --token or set SWITCHYARD_TOKEN (an admin token)");
    }
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await options.fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      const cause =
        error instanceof Error && error.cause instanceof Error
          ? error.cause.message
          : error instanceof Error
            ? error.message
            : String(error);
      throw new CliError(`Cannot reach Switchyard at ${base}: ${cause}`);
    }
    if (!res.ok) throw new CliError(`Switchyard answered ${method} ${path} with ${res.status}: ${await errorMessage(res)}`);
    return res;
  };
  return {
    getJson: async (path) => parseJson(await (await request("GET", path)).text(), path),
    getText: async (path) => (await request("GET", path)).text(),
    postJson: async (path, body) => parseJson(await (await request("POST", path, JSON.stringify(body))).text(), path),
    patchJson: async (path, body) => parseJson(await (await request("PATCH", path, JSON.stringify(body))).text(), path),
  };
}

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && isRecord(body.error) && typeof body.error.message === "string") {
      return typeof body.error.code === "string" ? `${body.error.code}: ${body.error.message}` : body.error.message;
    }
  } catch {
    // not JSON: show the start of the text
  }
  return text.slice(0, 200) || res.statusText;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`Switchyard answered ${path} with something that is not JSON`);
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
