export const SwitchyardErrorCodes = {
  /** The server answered 401 or 403: the SDK stopped all network activity. */
  UNAUTHORIZED: "UNAUTHORIZED",
  /** No flag data arrived within `readyTimeoutMs`; bootstrap data or defaults stay in force. */
  READY_TIMEOUT: "READY_TIMEOUT",
  /** `close()` was called before the first data arrived. */
  CLOSED: "CLOSED",
  /** The server or network failed; the SDK keeps retrying. */
  NETWORK: "NETWORK",
  /** The server sent something the SDK could not read; the SDK keeps its current data. */
  PAYLOAD: "PAYLOAD",
  /** Writing or reading the backup file failed. */
  BACKUP_FILE: "BACKUP_FILE",
} as const;
export type SwitchyardErrorCode = (typeof SwitchyardErrorCodes)[keyof typeof SwitchyardErrorCodes];

/** The one error type the SDK emits (on `error`) and rejects `ready()` with. */
export class SwitchyardError extends Error {
  override readonly name = "SwitchyardError";

  constructor(
    readonly code: SwitchyardErrorCode,
    message: string,
    /** The HTTP status that caused the error, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** `String(value)`, except that it never throws (a hostile `toString`, a revoked proxy). */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "<unprintable>";
  }
}

export function describeError(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return "<unprintable error>";
  }
}
