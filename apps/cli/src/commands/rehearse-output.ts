import { isRecord } from "../api-client";
import { formatTable } from "../cli-io";
import { CliError } from "../exit-codes";

/** The part of a rehearsal (`POST /api/rehearsals`) the CLI prints; parsed from `unknown`. */
export interface RehearsalState {
  id: string;
  environment: string;
  flag: string;
  status: string;
  targetMs: number;
  summary: string;
  detectionMs: number | null;
  phases: Array<{ name: string; phase: PhaseState }>;
  problem: string | null;
}

interface PhaseState {
  version: number;
  connected: number;
  acknowledged: number;
  p50Ms: number | null;
  maxMs: number | null;
  late: Array<{ instanceId: string; sdk: string | null; sdkVersion: string | null; lastSeenAt: string; acknowledgedMs: number | null }>;
}

const num = (v: unknown) => (typeof v === "number" ? v : null);
const strOrNull = (v: unknown) => (typeof v === "string" ? v : null);

function parsePhase(value: unknown): PhaseState | null {
  if (!isRecord(value)) return null;
  const late = Array.isArray(value.late) ? value.late.filter(isRecord) : [];
  return {
    version: num(value.version) ?? 0,
    connected: num(value.connected) ?? 0,
    acknowledged: num(value.acknowledged) ?? 0,
    p50Ms: num(value.p50Ms),
    maxMs: num(value.maxMs),
    late: late.map((l) => ({
      instanceId: String(l.instanceId ?? "?"),
      sdk: strOrNull(l.sdk),
      sdkVersion: strOrNull(l.sdkVersion),
      lastSeenAt: String(l.lastSeenAt ?? "?"),
      acknowledgedMs: num(l.acknowledgedMs),
    })),
  };
}

export function parseRehearsal(body: unknown): RehearsalState {
  if (!isRecord(body) || typeof body.id !== "string" || typeof body.status !== "string")
    throw new CliError("Switchyard answered with an unexpected rehearsal body");
  const phases: RehearsalState["phases"] = [];
  for (const [name, key] of [
    ["flag-off", "flagOff"],
    ["restore", "restore"],
  ] as const) {
    const phase = parsePhase(body[key]);
    if (phase !== null) phases.push({ name, phase });
  }
  return {
    id: body.id,
    environment: String(body.environment ?? ""),
    flag: String(body.flag ?? ""),
    status: body.status,
    targetMs: num(body.targetMs) ?? 0,
    summary: String(body.summary ?? ""),
    detectionMs: isRecord(body.detection) ? num(body.detection.ms) : null,
    phases,
    problem: strOrNull(body.problem),
  };
}

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(2)} s`);

/** The rehearsal for people: the verdict, detection, a row per write, then every late instance. */
export function renderRehearsal(r: RehearsalState): string {
  const lines = [`Rehearsal ${r.id}: ${r.flag} in ${r.environment} — ${r.status.toUpperCase()} (target ${seconds(r.targetMs)})`];
  if (r.detectionMs !== null) lines.push(`Detection: breach pushed → flag off by the deploy engine in ${seconds(r.detectionMs)}`);
  if (r.phases.length > 0) {
    const rows = [["write", "version", "acknowledged", "p50", "max"]];
    for (const { name, phase } of r.phases)
      rows.push([name, String(phase.version), `${phase.acknowledged}/${phase.connected}`, seconds(phase.p50Ms), seconds(phase.maxMs)]);
    lines.push("", formatTable(rows));
  }
  const late = r.phases.flatMap(({ name, phase }) => phase.late.map((l) => ({ name, ...l })));
  if (late.length > 0) {
    lines.push("", `Not acknowledged within ${seconds(r.targetMs)}:`);
    const rows = [["write", "instance", "sdk", "version", "last seen", "acknowledged"]];
    for (const l of late)
      rows.push([
        l.name,
        l.instanceId,
        l.sdk ?? "?",
        l.sdkVersion ?? "?",
        l.lastSeenAt,
        l.acknowledgedMs === null ? "never" : `after ${seconds(l.acknowledgedMs)}`,
      ]);
    lines.push(formatTable(rows));
  }
  if (r.phases.some(({ phase }) => phase.connected === 0))
    lines.push("", "No SDK instance was connected: only the write path was rehearsed.");
  if (r.problem !== null) lines.push("", `Problem: ${r.problem}`);
  return `${lines.join("\n")}\n`;
}
