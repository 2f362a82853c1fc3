/**
 * A problem the person starting the demo can fix (a setting, a server that is not running, a
 * rejected token): printed as its message alone, never with a stack trace, and the demo exits 1.
 */
export class StartupError extends Error {
  override readonly name = "StartupError";
}
