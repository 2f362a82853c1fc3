import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createApiClient, isRecord } from "../api-client";
import type { CliIo } from "../cli-io";
import { CliError, ExitCodes, type ExitCode } from "../exit-codes";

export interface FlagPreviewOptions {
  flag: string;
  environment: string;
  /** A JSON file holding what `PUT` takes (optionally with `contexts`). */
  file: string | undefined;
  /** Preview restoring this version instead. */
  restore: number | undefined;
  json: boolean;
  url: string;
  token: string | undefined;
}

type Record_ = Record<string, unknown>;
const list = (v: unknown): Record_[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const num = (v: unknown) => (typeof v === "number" ? v : 0);
const percent = (share: number) => `${(Math.round(share * 1000) / 10).toFixed(1)} %`;
const show = (value: unknown) => (value === null || value === undefined ? "the code's default" : JSON.stringify(value));

/** Where an outcome came from: the rule, the fallthrough, the off switch, an unmet prerequisite. */
function decidedBy(outcome: Record_): string {
  if (typeof outcome.ruleId === "string") return `rule ${outcome.ruleId}`;
  if (typeof outcome.prerequisiteKey === "string") return `prerequisite ${outcome.prerequisiteKey} unmet`;
  if (outcome.reason === "DISABLED") return "off";
  if (outcome.reason === "ERROR") return String(outcome.errorCode ?? "error");
  return "fallthrough";
}

function contextLine(example: Record_): string {
  const context = isRecord(example.context) ? example.context : {};
  const { key, ...attributes } = context;
  const shown = Object.entries(attributes).map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  const before = isRecord(example.before) ? example.before : {};
  const after = isRecord(example.after) ? example.after : {};
  return `${String(key)}${shown.length > 0 ? ` (${shown.join(", ")})` : ""} ×${num(example.weight)}: ${show(before.value)} by ${decidedBy(before)} → ${show(after.value)} by ${decidedBy(after)}`;
}

/** The human reading of `POST …/preview`. */
export function formatPreview(body: unknown): string {
  if (!isRecord(body) || !isRecord(body.flips) || !isRecord(body.contexts))
    throw new CliError("Switchyard answered with an unexpected preview body");
  const { flips, contexts } = body;
  const lines = [
    `Preview of ${String(body.flag)} in ${String(body.environment)} (${String(body.change)} against version ${num(body.currentVersion)}):`,
    `  over ${num(contexts.seen)} seen contexts${num(contexts.requested) > 0 ? ` and ${num(contexts.requested)} given` : ""}, ${num(contexts.evaluations)} evaluations${contexts.sampling === false ? " (sampling is off in this environment)" : ""}`,
    `  flips: ${num(flips.contexts)} contexts, ${num(flips.evaluations)} evaluations (${percent(num(flips.share))})`,
  ];
  const total = Math.max(1, num(contexts.evaluations));
  const values = (counts: unknown) =>
    list(counts)
      .map((c) => `${show(c.value)} ${percent(num(c.evaluations) / total)}`)
      .join(", ") || "—";
  lines.push(`  before: ${values(body.before)}`, `  after:  ${values(body.after)}`);
  for (const rollout of list(body.rollouts)) {
    const exact = rollout.exact === true ? "exact, for every context" : "expected: the bucketing changes";
    lines.push(`  ${String(rollout.serve)}: ${percent(num(rollout.flipShare))} of the contexts it decides flip (${exact})`);
  }
  const examples = list(body.examples);
  if (examples.length > 0) lines.push("  flips, heaviest first:", ...examples.slice(0, 10).map((e) => `    ${contextLine(e)}`));
  for (const dependent of list(body.dependents)) {
    const dependentFlips = isRecord(dependent.flips) ? dependent.flips : {};
    lines.push(
      `  dependent ${String(dependent.flag)}: ${num(dependentFlips.contexts)} contexts flip (${percent(num(dependentFlips.share))})`,
    );
  }
  const unsampled = Array.isArray(body.unsampledAttributes) ? body.unsampledAttributes.map(String) : [];
  if (unsampled.length > 0)
    lines.push(
      `  not in the sample yet: ${unsampled.join(", ")} (no rule read them until now; pass contexts that have them in the file's "contexts")`,
    );
  return `${lines.join("\n")}\n`;
}

function readConfigFile(io: CliIo, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), "utf8");
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * `switchyard flags preview KEY --env ENV --file config.json | --restore N`: whom the change
 * would flip, over the contexts the environment has seen. Nothing is written.
 */
export async function flagPreviewCommand(io: CliIo, options: FlagPreviewOptions): Promise<ExitCode> {
  if ((options.file === undefined) === (options.restore === undefined))
    throw new CliError("flags preview needs exactly one of --file <config.json> and --restore <version>");
  const body = options.restore === undefined ? readConfigFile(io, options.file ?? "") : { restoreVersion: options.restore };
  const api = createApiClient({ url: options.url, token: options.token, fetch: io.fetch });
  const path = `/api/flags/${encodeURIComponent(options.flag)}/environments/${encodeURIComponent(options.environment)}/preview`;
  const preview = await api.postJson(path, body);
  io.out(options.json ? `${JSON.stringify(preview, null, 2)}\n` : formatPreview(preview));
  return ExitCodes.ok;
}
