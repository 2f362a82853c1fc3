import type { ServerProcess } from "./server-process";

export interface ApiAnswer {
  status: number;
  body: Record<string, any>;
}

/** JSON requests to a server process with one admin token, as a user's curl would make them. */
export function adminApi(server: () => ServerProcess, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await fetch(`${server().url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
}
