/** One problem the API found in a request: `path` names the field (`rules[0].conditions[0].values[0]`). */
export interface Issue {
  path: string;
  message: string;
}

/** The API's `{ error: { code, message, details? } }`, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The validation problems of a 400, each naming its field. */
  get issues(): Issue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.flatMap((d: unknown) =>
      typeof d === "object" && d !== null && "path" in d && "message" in d && typeof d.path === "string" && typeof d.message === "string"
        ? [{ path: d.path, message: d.message }]
        : [],
    );
  }
}

export interface ApiResponse<T> {
  body: T;
  etag: string | null;
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  send<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** A conditional GET: `undefined` when the server answers 304 to `etag`. */
  poll<T>(path: string, etag: string | null): Promise<ApiResponse<T> | undefined>;
}

function errorOf(status: number, body: unknown): ApiError {
  const error: unknown = typeof body === "object" && body !== null && "error" in body ? body.error : undefined;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    const { code, message } = error;
    const details: unknown = "details" in error ? error.details : undefined;
    if (typeof code === "string" && typeof message === "string") return new ApiError(status, code, message, details);
  }
  return new ApiError(status, "HTTP_" + status, `The server answered ${status}`);
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Every request of the console goes through here, with the admin token the person signed in
 * with. `onUnauthorized` runs on a 401 (the token was revoked meanwhile) so the app can sign out.
 */
export function createApiClient(token: string, onUnauthorized: () => void = () => {}): ApiClient {
  async function request(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        cache: "no-store",
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    } catch {
      throw new ApiError(0, "NETWORK", "The server cannot be reached");
    }
    if (res.status === 401) onUnauthorized();
    return res;
  }

  async function json<T>(res: Response): Promise<T> {
    const body = await readBody(res);
    if (!res.ok) throw errorOf(res.status, body);
    // The API's answers are described by /openapi.json; the console trusts its own server's shapes.
    return body as T;
  }

  return {
    get: async (path) => json(await request("GET", path)),
    send: async (method, path, body, headers) => json(await request(method, path, { body, ...(headers ? { headers } : {}) })),
    async poll(path, etag) {
      const res = await request("GET", path, etag === null ? {} : { headers: { "if-none-match": etag } });
      if (res.status === 304) return undefined;
      return { body: await json(res), etag: res.headers.get("etag") };
    },
  };
}
