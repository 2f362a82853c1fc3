import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CliIo } from "./cli-io";
import { deployCommand } from "./commands/deploy-watch";
import { flagPreviewCommand } from "./commands/flags-preview";
import { flagToggleCommand, parseToggle } from "./commands/flags-toggle";
import { parseFailOn, ReportFormats, reportStaleCommand, type ReportFormat } from "./commands/report-stale";
import { parseTargetMs, rehearseCommand } from "./commands/rehearse";
import { scanCommand } from "./commands/scan";
import { CliError, ExitCodes, type ExitCode } from "./exit-codes";

export { ExitCodes } from "./exit-codes";
export type { CliIo } from "./cli-io";

export const DEFAULT_URL = "http://127.0.0.1:4242";

const globalOptions = {
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
const scanOptions = {
  repository: { type: "string" },
  branch: { type: "string" },
  "dry-run": { type: "boolean" },
  "comment-prefixes": { type: "string" },
} as const;
const reportOptions = {
  env: { type: "string" },
  repository: { type: "string" },
  branch: { type: "string" },
  format: { type: "string" },
  "fail-on": { type: "string" },
  "not-evaluated-days": { type: "string" },
  "fully-rolled-out-days": { type: "string" },
  "disabled-days": { type: "string" },
  "not-rehearsed-days": { type: "string" },
} as const;
const flagsOptions = {
  env: { type: "string" },
  comment: { type: "string" },
  file: { type: "string" },
  restore: { type: "string" },
} as const;
const rehearseOptions = {
  env: { type: "string" },
  flag: { type: "string" },
  "target-ms": { type: "string" },
  "allow-production": { type: "boolean" },
} as const;
const allOptions = {
  ...globalOptions,
  ...scanOptions,
  ...reportOptions,
  ...flagsOptions,
  ...rehearseOptions,
} satisfies ParseArgsConfig["options"];

export const USAGE = `Usage: switchyard <command> [options]

Commands:
  scan [dir]       Find flag keys in a repository and upload where they appear
                   --repository <name>   default: the origin remote's owner/name, else the folder name
                   --branch <name>       default: the checked-out branch
                   --dry-run             print what was found; upload nothing
                   --comment-prefixes <list>
                                         skip lines starting with these (comma-separated;
                                         default "//,#,/*,*,<!--,--"; "" skips none)
  report stale     List stale flags with the evidence and what to do
                   --env <environment>   one environment (default: all)
                   --repository <name>  --branch <name>
                                         code evidence from that scan only (e.g. a pull request's)
                   --format table|markdown
                   --fail-on <reasons>   exit ${ExitCodes.staleFlagsFound} when one appears, e.g. ARCHIVED_BUT_IN_CODE,NOT_IN_CODE
                   --not-evaluated-days <n>  --fully-rolled-out-days <n>  --disabled-days <n>
                   --not-rehearsed-days <n>
  flags on|off KEY Turn a flag on or off in one environment (audited)
                   --env <environment>   required
                   --comment <text>      kept in the audit log
                   (a deploy token may only turn flags off, in its own environment)
  flags preview KEY  Whom a change would flip, over the contexts the environment has seen
                   --env <environment>   required
                   --file <config.json>  the config as PUT takes it (optionally with "contexts")
                   --restore <version>   or: restoring that version
  rehearse         Practise a flag's rollback for real: the deploy engine turns it off, every
                   connected SDK instance must acknowledge, then it is restored and timed again
                   --env <environment> --flag <key>   (required)
                   --target-ms <n>       each write acknowledged within this (default 2000)
                   --allow-production    required in an environment marked production
  deploy watch     Register a guarded deploy, wait for the decision, exit with it
                   (also deploy start | signal | status | restore-flags; see: switchyard deploy --help)

Options:
  --url <url>      the server (SWITCHYARD_URL; default ${DEFAULT_URL})
  --token <token>  an admin token, or a deploy token for deploy commands (SWITCHYARD_TOKEN)
  --json           machine-readable output
  -h, --help       this text

Exit codes: ${ExitCodes.ok} ok (deploy: healthy), ${ExitCodes.usageOrConnectionError} usage or connection error, ${ExitCodes.mitigated} deploy mitigated by turning a flag off,
${ExitCodes.rollbackRequired} rollback required, ${ExitCodes.inconclusive} inconclusive, ${ExitCodes.staleFlagsFound} a --fail-on reason was found,
${ExitCodes.rehearsalLate} rehearsal: an SDK instance acknowledged late or never, ${ExitCodes.rehearsalError} rehearsal: could not run (refused, no flag-off).
`;

/** Runs one command line; never throws, answers the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`switchyard: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`switchyard: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCodes.usageOrConnectionError;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  if (argv[0] === "deploy") return deployCommand(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: allOptions, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined) {
    io.out(USAGE);
    return command === undefined && values.help !== true ? ExitCodes.usageOrConnectionError : ExitCodes.ok;
  }
  const url = values.url ?? io.env.SWITCHYARD_URL ?? DEFAULT_URL;
  const token = values.token ?? io.env.SWITCHYARD_TOKEN;
  const json = values.json === true;

  if (command === "scan") {
    onlyOptions(values, scanOptions, "scan");
    if (rest.length > 1) throw new CliError(`scan takes one folder, not ${rest.length}`);
    return scanCommand(io, {
      dir: rest[0],
      repository: values.repository,
      branch: values.branch,
      dryRun: values["dry-run"] === true,
      json,
      commentPrefixes: values["comment-prefixes"]
        ?.split(",")
        .map((p) => p.trim())
        .filter((p) => p !== ""),
      url,
      token,
    });
  }
  if (command === "report" && rest[0] === "stale" && rest.length === 1) {
    onlyOptions(values, reportOptions, "report stale");
    const format = values.format ?? "table";
    if (!isFormat(format)) throw new CliError(`--format must be ${ReportFormats.join(" or ")} (or use --json), not '${format}'`);
    return reportStaleCommand(io, {
      environment: values.env,
      repository: values.repository,
      branch: values.branch,
      format,
      failOn: parseFailOn(values["fail-on"]),
      thresholds: {
        notEvaluatedDays: values["not-evaluated-days"],
        fullyRolledOutDays: values["fully-rolled-out-days"],
        disabledDays: values["disabled-days"],
        notRehearsedDays: values["not-rehearsed-days"],
      },
      json,
      url,
      token,
    });
  }
  if (command === "rehearse") {
    onlyOptions(values, rehearseOptions, "rehearse");
    if (rest.length > 0) throw new CliError(`rehearse takes no arguments, only options: --env ENVIRONMENT --flag KEY`);
    if (values.env === undefined || values.flag === undefined)
      throw new CliError("usage: switchyard rehearse --env ENVIRONMENT --flag KEY [--target-ms N] [--allow-production] [--json]");
    return rehearseCommand(io, {
      environment: values.env,
      flag: values.flag,
      targetMs: parseTargetMs(values["target-ms"]),
      allowProduction: values["allow-production"] === true,
      json,
      url,
      token,
    });
  }
  if (command === "flags" && rest[0] === "preview") {
    onlyOptions(values, flagsOptions, "flags preview");
    const [, flag, ...extra] = rest;
    if (flag === undefined || extra.length > 0 || values.comment !== undefined)
      throw new CliError("usage: switchyard flags preview KEY --env ENVIRONMENT (--file CONFIG.json | --restore VERSION)");
    if (values.env === undefined) throw new CliError("flags preview needs --env: a flag is configured per environment");
    const restore = values.restore === undefined ? undefined : Number(values.restore);
    if (restore !== undefined && !(Number.isInteger(restore) && restore >= 1))
      throw new CliError(`--restore takes a version number, not '${values.restore ?? ""}'`);
    return flagPreviewCommand(io, { flag, environment: values.env, file: values.file, restore, json, url, token });
  }
  if (command === "flags") {
    onlyOptions(values, flagsOptions, "flags");
    if (values.file !== undefined || values.restore !== undefined) throw new CliError("--file and --restore belong to flags preview");
    const [word, flag, ...extra] = rest;
    const on = parseToggle(word);
    if (flag === undefined || extra.length > 0) throw new CliError("usage: switchyard flags on|off KEY --env ENVIRONMENT [--comment TEXT]");
    if (values.env === undefined) throw new CliError("flags on|off needs --env: a flag is switched per environment");
    return flagToggleCommand(io, { flag, on, environment: values.env, comment: values.comment, json, url, token });
  }
  throw new CliError(`unknown command '${positionals.join(" ")}'\n\n${USAGE}`);
}

const isFormat = (value: string): value is ReportFormat => (ReportFormats as readonly string[]).includes(value);

/** An option of another command is a mistake worth saying, not something to ignore. */
function onlyOptions(values: Record<string, unknown>, own: Record<string, unknown>, command: string): void {
  const foreign = Object.keys(values).filter((name) => values[name] !== undefined && !(name in globalOptions) && !(name in own));
  if (foreign.length > 0)
    throw new CliError(
      `${foreign.map((n) => `--${n}`).join(", ")} ${foreign.length === 1 ? "is not an option" : "are not options"} of ${command}`,
    );
}
