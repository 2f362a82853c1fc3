import { createApiClient } from "../api-client";
import type { CliIo } from "../cli-io";
import { CliError, ExitCodes, type ExitCode } from "../exit-codes";

export interface FlagToggleOptions {
  flag: string;
  on: boolean;
  environment: string;
  comment: string | undefined;
  json: boolean;
  url: string;
  token: string | undefined;
}

/**
 * `switchyard flags on|off KEY --env ENV [--comment …]`: one audited config change. With a deploy
 * token only `off` is allowed — turning a flag off is never blocked; turning it on is an admin's call.
 */
export async function flagToggleCommand(io: CliIo, options: FlagToggleOptions): Promise<ExitCode> {
  const api = createApiClient({ url: options.url, token: options.token, fetch: io.fetch });
  const path = `/api/flags/${encodeURIComponent(options.flag)}/environments/${encodeURIComponent(options.environment)}`;
  const body = { enabled: options.on, ...(options.comment === undefined ? {} : { comment: options.comment }) };
  const config = await api.patchJson(path, body);
  if (options.json) {
    io.out(`${JSON.stringify(config, null, 2)}\n`);
    return ExitCodes.ok;
  }
  const version = typeof config === "object" && config !== null && "version" in config ? String(config.version) : "?";
  io.out(`${options.flag} is ${options.on ? "on" : "off"} in ${options.environment} (version ${version})\n`);
  return ExitCodes.ok;
}

export function parseToggle(word: string | undefined): boolean {
  if (word === "on") return true;
  if (word === "off") return false;
  throw new CliError(`flags takes 'on' or 'off', not '${word ?? ""}'`);
}
