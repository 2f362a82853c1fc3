import { isRecord } from "../api-client";
import { CliError } from "../exit-codes";

/** The part of `GET /api/deploys/:id` the CLI reads; parsed from `unknown`, the rest passed through. */
export interface DeployState {
  id: string;
  service: string;
  version: string;
  environment: string;
  status: string;
  final: boolean;
  summary: string | null;
  checks: Array<{ signal: string; max: number | null; min: number | null; samples: number; held: boolean | null; source: string }>;
  cohorts: CohortLine[];
  flagsOff: Array<{ flag: string; configVersion: number; disabledAt: string }>;
  propagation: Array<{ flag: string; acknowledged: number; connected: number; seconds: number | null }>;
  completed: number | null;
  intervals: number | null;
  /** The latest Prometheus query that gave no sample, and why (null: none, or no query checks). */
  prometheusProblem: string | null;
}

/** A flag's cohorts as compared: rates of SDK counts, or means of pushed samples (`source: "samples"`). */
export type CohortLine = { flag: string; signal: string; verdict: string; pValue: number | null } & (
  | { source: "counts"; newRate: number | null; newPer: number; offRate: number | null; offPer: number }
  | { source: "samples"; newMean: number | null; newSamples: number; offMean: number | null; offSamples: number }
);

const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" ? v : null);
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

export function parseDeploy(body: unknown): DeployState {
  if (!isRecord(body) || typeof body.id !== "string" || typeof body.status !== "string")
    throw new CliError("Switchyard answered with an unexpected deploy body");
  const decision = isRecord(body.decision) ? body.decision : {};
  const evidence = isRecord(decision.evidence) ? decision.evidence : {};
  const window = isRecord(evidence.window) ? evidence.window : {};
  return {
    id: body.id,
    service: str(body.service),
    version: str(body.version),
    environment: str(body.environment),
    status: body.status,
    final: body.final === true,
    summary: typeof body.summary === "string" ? body.summary : null,
    checks: list(evidence.checks).map((c) => ({
      signal: str(c.signal),
      max: num(c.max),
      min: num(c.min),
      samples: num(c.samples) ?? 0,
      held: typeof c.held === "boolean" ? c.held : null,
      source: str(c.source),
    })),
    cohorts: list(evidence.cohorts).map(parseCohort),
    flagsOff: list(body.flagsOff).map((f) => ({
      flag: str(f.flag),
      configVersion: num(f.configVersion) ?? 0,
      disabledAt: str(f.disabledAt),
    })),
    propagation: list(body.propagation).map((p) => ({
      flag: str(p.flag),
      acknowledged: num(p.acknowledged) ?? 0,
      connected: num(p.connected) ?? 0,
      seconds: num(p.seconds),
    })),
    completed: num(window.completed),
    intervals: num(window.intervals),
    prometheusProblem: prometheusProblem(body.prometheus),
  };
}

function parseCohort(c: Record<string, unknown>): CohortLine {
  const fresh = isRecord(c.new) ? c.new : {};
  const off = isRecord(c.off) ? c.off : {};
  const test = isRecord(c.test) ? c.test : {};
  const common = { flag: str(c.flag), signal: str(c.signal), verdict: str(c.verdict), pValue: num(test.pValue) };
  if (c.source === "samples") {
    return {
      ...common,
      source: "samples",
      newMean: num(fresh.mean),
      newSamples: num(fresh.samples) ?? 0,
      offMean: num(off.mean),
      offSamples: num(off.samples) ?? 0,
    };
  }
  // Decisions recorded before cohorts could come from samples carry no source: they are counts.
  return {
    ...common,
    source: "counts",
    newRate: num(fresh.rate),
    newPer: num(fresh.per) ?? 0,
    offRate: num(off.rate),
    offPer: num(off.per) ?? 0,
  };
}

function prometheusProblem(progress: unknown): string | null {
  const problem = isRecord(progress) && isRecord(progress.lastProblem) ? progress.lastProblem : null;
  return problem === null ? null : `${str(problem.signal)}: ${str(problem.message)}`;
}

const percent = (rate: number | null) => (rate === null ? "–" : `${(rate * 100).toFixed(2)}%`);
const mean = (value: number | null) => (value === null ? "–" : String(Number(value.toPrecision(4))));
const bound = (c: DeployState["checks"][number]) => (c.max !== null ? `≤ ${c.max}` : `≥ ${c.min ?? "?"}`);

/** One line per change while observing: the status and the engine's summary. */
export function progressLine(state: DeployState, elapsedSeconds: number): string {
  const progress =
    state.completed !== null && state.intervals !== null
      ? ` ${Math.min(state.completed, state.intervals)}/${state.intervals} intervals`
      : "";
  // The engine's summary starts with the status.
  return `[${elapsedSeconds}s${progress}] ${state.summary ?? `${state.status}: waiting for the first interval to end`}\n`;
}

/** The decision and its evidence, for people. */
export function renderDecision(state: DeployState): string {
  const lines = [
    `Deploy ${state.id} (${state.service} ${state.version} in ${state.environment}): ${state.status.toUpperCase()}`,
    `  ${state.summary ?? ""}`,
  ];
  if (state.checks.length > 0) {
    lines.push("  Checks:");
    for (const c of state.checks)
      lines.push(
        `    ${c.signal} ${bound(c)}: ${c.held === null ? "not judged" : c.held ? "held" : "breached"} (${c.samples} samples from ${c.source})`,
      );
  }
  if (state.cohorts.length > 0) {
    lines.push("  Flag cohorts:");
    for (const c of state.cohorts) {
      const p = c.pValue === null ? "" : `, p=${c.pValue < 0.001 ? c.pValue.toExponential(1) : c.pValue.toFixed(3)}`;
      const cohorts =
        c.source === "samples"
          ? `new mean ${mean(c.newMean)} of ${c.newSamples} samples, off mean ${mean(c.offMean)} of ${c.offSamples}`
          : `new ${percent(c.newRate)} of ${c.newPer}, off ${percent(c.offRate)} of ${c.offPer}`;
      lines.push(`    ${c.flag} ${c.signal}: ${cohorts}${p} → ${c.verdict}`);
    }
  }
  if (state.prometheusProblem !== null) lines.push(`  Prometheus: last query without a sample — ${state.prometheusProblem}`);
  for (const off of state.flagsOff) {
    const propagation = state.propagation.find((p) => p.flag === off.flag);
    const acked =
      propagation === undefined
        ? ""
        : `; acknowledged by ${propagation.acknowledged} of ${propagation.connected} connected SDKs${propagation.seconds === null ? "" : ` in ${propagation.seconds.toFixed(1)} s`}`;
    lines.push(`  Turned off ${off.flag} (config version ${off.configVersion}) at ${off.disabledAt}${acked}`);
  }
  if (state.flagsOff.length > 0) lines.push(`  To put the flags back: switchyard deploy restore-flags ${state.id}`);
  return `${lines.join("\n")}\n`;
}

/** What `restore-flags` did, for people: one line per flag put back, then the rest. */
export function renderRestore(report: unknown): string {
  const body = isRecord(report) ? report : {};
  const lines = list(body.restored).map(
    (r) => `Restored ${str(r.flag)}: the config of version ${num(r.fromVersion) ?? "?"} is now version ${num(r.version) ?? "?"}`,
  );
  if (lines.length === 0) lines.push("Nothing to restore: every flag config is as it was when the deploy was registered");
  const unchanged = Array.isArray(body.unchanged) ? body.unchanged.filter((f): f is string => typeof f === "string") : [];
  if (unchanged.length > 0) lines.push(`Unchanged: ${unchanged.join(", ")}`);
  for (const skipped of list(body.skipped)) lines.push(`Skipped ${str(skipped.flag)}: ${str(skipped.reason)}`);
  return `${lines.join("\n")}\n`;
}
