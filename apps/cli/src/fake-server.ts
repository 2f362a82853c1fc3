import type { CliIo } from "./cli-io";

/** A stand-in for the server in CLI unit tests: canned answers by method and path, requests kept. */
export function fakeServer(routes: Record<string, (body: unknown, url: URL) => { status?: number; body?: unknown; text?: string }>) {
  const requests: Array<{ method: string; path: string; authorization: string | null; body: unknown }> = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const method = init?.method ?? "GET";
    const body: unknown = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    const authorization = new Headers(init?.headers).get("authorization");
    requests.push({ method, path: url.pathname + url.search, authorization, body });
    const route = routes[`${method} ${url.pathname + url.search}`] ?? routes[`${method} ${url.pathname}`];
    if (!route) return Response.json({ error: { code: "NOT_FOUND", message: `No route for ${method} ${url.pathname}` } }, { status: 404 });
    const answer = route(body, url);
    if (answer.text !== undefined)
      return new Response(answer.text, { status: answer.status ?? 200, headers: { "content-type": "text/markdown; charset=utf-8" } });
    return Response.json(answer.body, { status: answer.status ?? 200 });
  };
  return { fetch, requests };
}

/** Captures what a command prints. */
export function captureIo(fetch: typeof globalThis.fetch, cwd: string, env: Record<string, string | undefined> = {}) {
  const output = { out: "", err: "" };
  const io: CliIo = { out: (t) => void (output.out += t), err: (t) => void (output.err += t), env, cwd, fetch };
  return { io, output };
}
