/** Paths of the server SDK protocol (docs/sdk-protocol.md), relative to the base URL. */
export const SdkPaths = {
  FLAGS: "api/sdk/flags",
  STREAM: "api/sdk/stream",
  METRICS: "api/sdk/metrics",
} as const;
export type SdkPath = (typeof SdkPaths)[keyof typeof SdkPaths];

export function endpoint(baseUrl: URL, path: SdkPath): string {
  return new URL(path, baseUrl).toString();
}

export function authorization(token: string): string {
  return `Bearer ${token}`;
}

/** 401 and 403 mean the token is wrong: retrying cannot help, so the SDK stops. */
export function isAuthStatus(status: number | undefined): boolean {
  return status === 401 || status === 403;
}

export function authFailureMessage(status: number, detail: string): string {
  return `Switchyard rejected the SDK token (${status}): ${detail}. ` + "The SDK stopped all network activity; fix the token and restart.";
}

/** How long a poll or a metrics report may take before it is abandoned. */
export const REQUEST_TIMEOUT_MS = 10_000;

const MAX_DETAIL_CHARS = 300;

/**
 * A readable reason from an error response: the `{ error: { message } }` body the server
 * sends, else the start of the body text, else the status text. Never throws.
 */
export async function readErrorDetail(response: Response): Promise<string> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    // The body could not be read (connection dropped); the status alone has to do.
  }
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null && "error" in body) {
      const error: unknown = body.error;
      if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
        return error.message.slice(0, MAX_DETAIL_CHARS);
      }
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const trimmed = text.trim().slice(0, MAX_DETAIL_CHARS);
  return trimmed !== "" ? trimmed : response.statusText || `HTTP ${response.status}`;
}
