import type { LateInstance, PhaseResult, RehearsalResult, RehearsalStatus } from "./types";

const seconds = (ms: number | null) => (ms === null ? "n/a" : `${(ms / 1000).toFixed(2)} s`);

/** "inst-7 (switchyard-node 0.1.0, last seen 2026-12-03T07:45:01.000Z, never acknowledged)" */
export function describeLate(late: LateInstance): string {
  const sdk = late.sdk === null ? "unknown SDK" : late.sdkVersion === null ? late.sdk : `${late.sdk} ${late.sdkVersion}`;
  const ack = late.acknowledgedMs === null ? "never acknowledged" : `acknowledged after ${seconds(late.acknowledgedMs)}`;
  return `${late.instanceId} (${sdk}, last seen ${late.lastSeenAt}, ${ack})`;
}

function describePhase(what: string, phase: PhaseResult, targetMs: number): string {
  if (phase.connected === 0) return `${what}: no SDK instance was connected`;
  const timing = `p50 ${seconds(phase.p50Ms)}, max ${seconds(phase.maxMs)}`;
  const line = `${what}: ${phase.acknowledged} of ${phase.connected} instances acknowledged within ${seconds(targetMs)} (${timing})`;
  return phase.late.length === 0 ? line : `${line}; late: ${phase.late.map(describeLate).join("; ")}`;
}

/** One paragraph for people: what happened in each phase, and who was late. */
export function describeRehearsal(run: { flag: string; targetMs: number }, status: RehearsalStatus, result: RehearsalResult): string {
  const parts: string[] = [];
  if (result.detection !== null) parts.push(`breach detected and ${run.flag} turned off in ${seconds(result.detection.ms)}`);
  if (result.flagOff !== null) parts.push(describePhase("flag-off", result.flagOff, run.targetMs));
  if (result.restore !== null) parts.push(describePhase("restore", result.restore, run.targetMs));
  if (result.problem !== null) parts.push(result.problem);
  return `${status}: ${parts.join("; ")}`;
}
