/**
 * What `switchyard` exits with, so a CI step can tell "the check found debt" from "the check could
 * not run". 3, 4 and 5 are `deploy watch`'s (mitigated by a flag, rollback required, inconclusive);
 * 7 and 8 are `rehearse`'s.
 */
export const ExitCodes = {
  ok: 0,
  /** Bad arguments, an unreachable server, or an error answer from it (bad token, bad query). */
  usageOrConnectionError: 1,
  /** `deploy watch`: the breach was explained by a flag, which is now off everywhere. */
  mitigated: 3,
  /** `deploy watch`: a breach no flag explains, or one that persisted after the flag-off. */
  rollbackRequired: 4,
  /** `deploy watch`: too few samples by the window's end to decide. */
  inconclusive: 5,
  /** `report stale --fail-on …`: a listed reason appears in the report. */
  staleFlagsFound: 6,
  /** `rehearse`: some connected SDK instance acknowledged the flag-off or the restore late, or never. */
  rehearsalLate: 7,
  /** `rehearse`: the rehearsal could not run its course (refused, e.g. in production; no flag-off; no restore). */
  rehearsalError: 8,
} as const;
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

/** A failure that ends the command with a message and an exit code (never a stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCodes.usageOrConnectionError,
  ) {
    super(message);
    this.name = "CliError";
  }
}
