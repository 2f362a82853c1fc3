import { createApiClient } from "../api-client";
import type { CliIo } from "../cli-io";
import { CliError, ExitCodes, type ExitCode } from "../exit-codes";
import { parseRehearsal, renderRehearsal } from "./rehearse-output";

export interface RehearseOptions {
  environment: string;
  flag: string;
  targetMs: number | undefined;
  allowProduction: boolean;
  json: boolean;
  url: string;
  token: string | undefined;
}

/** The server answers when the rehearsal is over: detection, then two writes each waited for up to twice the target. */
const answerTimeoutMs = (targetMs: number) => 60_000 + 4 * targetMs;

export function exitCodeOfRehearsal(status: string): ExitCode {
  if (status === "passed") return ExitCodes.ok;
  if (status === "failed") return ExitCodes.rehearsalLate;
  return ExitCodes.rehearsalError;
}

/**
 * `switchyard rehearse --env staging --flag new-checkout`: practises the flag's rollback for real
 * (the deploy engine turns it off, every connected SDK must acknowledge, then it is restored) and
 * exits 0 when every instance acknowledged both writes in time, 7 when one was late or silent,
 * 8 when the rehearsal could not run (refused, or no flag-off).
 */
export async function rehearseCommand(io: CliIo, options: RehearseOptions): Promise<ExitCode> {
  const api = createApiClient({
    url: options.url,
    token: options.token,
    fetch: io.fetch,
    timeoutMs: answerTimeoutMs(options.targetMs ?? 2_000),
  });
  const body = {
    environment: options.environment,
    flag: options.flag,
    ...(options.targetMs === undefined ? {} : { targetMs: options.targetMs }),
    ...(options.allowProduction ? { allowProduction: true } : {}),
  };
  let answer: unknown;
  try {
    answer = await api.postJson("/api/rehearsals", body);
  } catch (error) {
    // A refusal (production, unknown flag) or an unreachable server: the rehearsal did not run.
    if (error instanceof CliError) throw new CliError(error.message, ExitCodes.rehearsalError);
    throw error;
  }
  const rehearsal = parseRehearsal(answer);
  io.out(options.json ? `${JSON.stringify(answer, null, 2)}\n` : renderRehearsal(rehearsal));
  return exitCodeOfRehearsal(rehearsal.status);
}

export function parseTargetMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1 && n <= 60_000)) throw new CliError(`--target-ms takes milliseconds from 1 to 60000, not '${value}'`);
  return n;
}
