import { parseArgs } from "node:util";
import { createApiClient, type ApiClient } from "../api-client";
import type { CliIo } from "../cli-io";
import { CliError, ExitCodes, type ExitCode } from "../exit-codes";
import { parseDeploy, progressLine, renderDecision, renderRestore, type DeployState } from "./deploy-output";

export const DEPLOY_USAGE = `Usage: switchyard deploy <watch|start|signal|status|restore-flags> [options]

  deploy watch      Register a deploy, observe it, print the decision, exit with it
                    --service <name> --version <v> --env <environment>   (required)
                    --flag <key>          a flag the deploy ships or is guarded by (repeatable)
                    --window <duration>   how long to observe, e.g. 10m (default 10m)
                    --interval <duration> how often to judge, e.g. 30s (default 30s)
                    --max <signal=value>  a check, e.g. error_rate=0.02 (repeatable)
                    --min <signal=value>  a check with a lower bound (repeatable)
                    --min-samples <n>     samples every check needs before it is judged
                    --prometheus <query>  read the check from this PromQL query (the server's
                                          PROMETHEUS_URL) at every interval's end instead of
                                          pushed samples; $interval stands for the interval.
                                          With several checks: --prometheus signal='query'
                    --commit <sha>        --decide-only (never turn a flag off)
                    --poll <duration>     how often to ask the server (default: a quarter interval, 250ms–5s)
  deploy start                Register a deploy like watch does, print its id, and return at once
  deploy signal <id> --signal <name> --value <number> [--flag <key> --variation <n>]
                              Push one health sample (e.g. from a monitoring step)
  deploy status <id>          Print a deploy's status and evidence (exits like watch once decided)
  deploy restore-flags <id>   Put every flag config back as it was when the deploy was registered (admin token)

Options: --url <url> (SWITCHYARD_URL), --token <token> (SWITCHYARD_TOKEN: a deploy token of the
environment, or an admin token), --json (machine-readable output).

Exit codes: 0 healthy, 3 mitigated by turning a flag off, 4 rollback required, 5 inconclusive,
1 usage or connection error. In a pipeline:
  switchyard deploy watch … ; case $? in 4) ./rollback.sh ;; esac
`;

const options = {
  service: { type: "string" },
  version: { type: "string" },
  env: { type: "string" },
  commit: { type: "string" },
  flag: { type: "string", multiple: true },
  window: { type: "string" },
  interval: { type: "string" },
  max: { type: "string", multiple: true },
  min: { type: "string", multiple: true },
  "min-samples": { type: "string" },
  prometheus: { type: "string", multiple: true },
  "decide-only": { type: "boolean" },
  poll: { type: "string" },
  signal: { type: "string" },
  value: { type: "string" },
  variation: { type: "string" },
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The decision as a process exit code, so a pipeline step can branch on it. */
export function exitCodeOf(status: string): ExitCode | null {
  switch (status) {
    case "healthy":
      return ExitCodes.ok;
    case "mitigated":
      return ExitCodes.mitigated;
    case "rollback-required":
      return ExitCodes.rollbackRequired;
    case "inconclusive":
      return ExitCodes.inconclusive;
    default:
      return null;
  }
}

/** `10m`, `30s`, `1h`, `250ms`, or plain seconds → milliseconds. */
export function parseDurationMs(value: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match?.[1]) throw new CliError(`--${option} must be a duration such as 30s, 10m or 1h, not '${value}'`);
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"] ?? 1_000;
  return Number(match[1]) * factor;
}

interface CheckArg {
  signal: string;
  max?: number;
  min?: number;
  minSamples?: number;
  query?: string;
}

function parseBounds(values: readonly string[] | undefined, kind: "max" | "min", minSamples: number | undefined): CheckArg[] {
  return (values ?? []).map((text) => {
    const match = /^([A-Za-z0-9._:-]+)=(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(text.trim());
    if (!match?.[1] || match[2] === undefined) throw new CliError(`--${kind} must be signal=value, e.g. error_rate=0.02, not '${text}'`);
    return { signal: match[1], [kind]: Number(match[2]), ...(minSamples === undefined ? {} : { minSamples }) };
  });
}

/**
 * `--prometheus 'query'` belongs to the only check; with several, `--prometheus signal='query'`
 * names it. A PromQL query never starts with `name=` (selectors need braces), so the two forms
 * cannot be confused.
 */
export function attachQueries(checks: CheckArg[], queries: readonly string[] | undefined): CheckArg[] {
  const signals = checks.map((c) => c.signal);
  for (const text of queries ?? []) {
    const named = /^([A-Za-z0-9._:-]+)=(.+)$/s.exec(text.trim());
    const signal = named?.[1] !== undefined && signals.includes(named[1]) ? named[1] : checks.length === 1 ? signals[0] : undefined;
    const query = (named?.[1] !== undefined && named[1] === signal ? named[2] : text)?.trim();
    if (signal === undefined)
      throw new CliError(
        `--prometheus must name its check when there are several: --prometheus ${signals[0] ?? "signal"}='query' (checks: ${signals.join(", ")})`,
      );
    if (query === undefined || query === "") throw new CliError("--prometheus needs a PromQL query");
    const check = checks.find((c) => c.signal === signal);
    if (check === undefined || check.query !== undefined) throw new CliError(`--prometheus gives check ${signal} a second query`);
    check.query = query;
  }
  return checks;
}

const wholeSeconds = (ms: number, option: string) => {
  if (ms < 1_000 || ms % 1_000 !== 0) throw new CliError(`--${option} must be a whole number of seconds (at least 1s)`);
  return ms / 1_000;
};

export async function deployCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${DEPLOY_USAGE}`);
  }
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (values.help === true || sub === undefined) {
    io.out(DEPLOY_USAGE);
    return values.help === true ? ExitCodes.ok : ExitCodes.usageOrConnectionError;
  }
  const api = createApiClient({
    url: values.url ?? io.env.SWITCHYARD_URL ?? "http://127.0.0.1:4242",
    token: values.token ?? io.env.SWITCHYARD_TOKEN,
    fetch: io.fetch,
  });
  const json = values.json === true;
  if (sub === "watch" && rest.length === 0) return watch(api, io, values, json);
  if (sub === "start" && rest.length === 0) {
    const body = await register(api, values, "start");
    io.out(json ? `${JSON.stringify(body, null, 2)}\n` : `${parseDeploy(body).id}\n`);
    return ExitCodes.ok;
  }
  if (sub === "signal" && rest.length === 1 && rest[0] !== undefined) return signal(api, io, rest[0], values);
  if ((sub === "status" || sub === "restore-flags") && rest.length === 1 && rest[0] !== undefined) {
    const id = encodeURIComponent(rest[0]);
    if (sub === "restore-flags") {
      const report = await api.postJson(`/api/deploys/${id}/restore-flags`, {});
      io.out(json ? `${JSON.stringify(report, null, 2)}\n` : renderRestore(report));
      return ExitCodes.ok;
    }
    const body = await api.getJson(`/api/deploys/${id}`);
    const state = parseDeploy(body);
    io.out(json ? `${JSON.stringify(body, null, 2)}\n` : renderDecision(state));
    return exitCodeOf(state.status) ?? ExitCodes.ok;
  }
  throw new CliError(`unknown command 'deploy ${positionals.slice(0, 3).join(" ")}'\n\n${DEPLOY_USAGE}`);
}

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>["values"];

function guardOf(values: Values, command: string) {
  const missing = (["service", "version", "env"] as const).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new CliError(`deploy ${command} needs ${missing.map((m) => `--${m}`).join(", ")}`);
  const minSamples = values["min-samples"] === undefined ? undefined : Number(values["min-samples"]);
  if (minSamples !== undefined && !(Number.isInteger(minSamples) && minSamples >= 1))
    throw new CliError("--min-samples must be a whole number ≥ 1");
  const bounds: CheckArg[] = [...parseBounds(values.max, "max", minSamples), ...parseBounds(values.min, "min", minSamples)];
  if (bounds.length === 0) throw new CliError(`deploy ${command} needs at least one check: --max signal=value or --min signal=value`);
  const checks = attachQueries(bounds, values.prometheus);
  const intervalSeconds = wholeSeconds(parseDurationMs(values.interval ?? "30s", "interval"), "interval");
  const windowSeconds = wholeSeconds(parseDurationMs(values.window ?? "10m", "window"), "window");
  return { windowSeconds, intervalSeconds, checks, onBreach: values["decide-only"] === true ? "decide-only" : "disable-flags" };
}

function register(api: ApiClient, values: Values, command: string): Promise<unknown> {
  const guard = guardOf(values, command);
  return api.postJson("/api/deploys", {
    service: values.service,
    version: values.version,
    environment: values.env,
    ...(values.commit === undefined ? {} : { commit: values.commit }),
    flags: values.flag ?? [],
    guard,
  });
}

async function signal(api: ApiClient, io: CliIo, id: string, values: Values): Promise<ExitCode> {
  const value = Number(values.value);
  if (values.signal === undefined || values.value === undefined || !Number.isFinite(value))
    throw new CliError("deploy signal needs --signal <name> and --value <number>");
  const flag = values.flag?.[0];
  const variation = values.variation === undefined ? undefined : Number(values.variation);
  if ((flag === undefined) !== (variation === undefined))
    throw new CliError(
      "deploy signal: --flag and --variation go together (a cohort sample names the flag and the variation its traffic got)",
    );
  if (variation !== undefined && !(Number.isInteger(variation) && variation >= 0))
    throw new CliError("--variation must be a variation index (0, 1, …)");
  const sample = {
    signal: values.signal,
    value,
    ...(flag === undefined ? {} : { flag }),
    ...(variation === undefined ? {} : { variation }),
  };
  const answer = await api.postJson(`/api/deploys/${encodeURIComponent(id)}/signals`, sample);
  io.out(`${JSON.stringify(answer)}\n`);
  return ExitCodes.ok;
}

async function watch(api: ApiClient, io: CliIo, values: Values, json: boolean): Promise<ExitCode> {
  const { windowSeconds, intervalSeconds } = guardOf(values, "watch");
  const pollMs =
    values.poll === undefined ? Math.min(5_000, Math.max(250, (intervalSeconds * 1_000) / 4)) : parseDurationMs(values.poll, "poll");
  const created = parseDeploy(await register(api, values, "watch"));
  const progress = (text: string) => (json ? io.err(text) : io.out(text));
  progress(
    `Watching deploy ${created.id} (${created.service} ${created.version} in ${created.environment}) for ${windowSeconds}s, judged every ${intervalSeconds}s\n`,
  );

  const startedAt = Date.now();
  // The decision may come after the window: a flag-off waits for acknowledgement and one interval of recovery.
  const deadline = startedAt + (windowSeconds + 4 * intervalSeconds + 60) * 1_000;
  let last = "";
  let failures = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    let body: unknown;
    try {
      body = await api.getJson(`/api/deploys/${encodeURIComponent(created.id)}`);
      failures = 0;
    } catch (error) {
      // One dropped poll must not fail a pipeline; a server gone for a while does.
      if (++failures >= 5) throw error;
      continue;
    }
    const state: DeployState = parseDeploy(body);
    const line = `${state.status}|${state.summary ?? ""}`;
    if (line !== last && !state.final) progress(progressLine(state, Math.round((Date.now() - startedAt) / 1_000)));
    last = line;
    const code = state.final ? exitCodeOf(state.status) : null;
    if (code !== null) {
      io.out(json ? `${JSON.stringify(body, null, 2)}\n` : renderDecision(state));
      return code;
    }
    if (Date.now() > deadline)
      throw new CliError(`deploy ${created.id} is still ${state.status} after the window; is the server's deploy worker running?`);
  }
}
