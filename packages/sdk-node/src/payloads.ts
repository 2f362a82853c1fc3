import type { FlagDefinition, Segment } from "@switchyard/core";

/*
 * Light structural checks of what the server sends (docs/sdk-protocol.md). They guard the
 * shape the SDK relies on; deeper problems in one flag (a bad rule) are the engine's job:
 * `compile` turns such a flag into an ERROR result instead of throwing.
 */

/** The `GET /api/sdk/flags` body, also the SSE `put` event and the backup file's content. */
export interface SdkSnapshot {
  environment: string;
  version: number;
  /**
   * The server database's history `version` counts in: a put from another epoch (a restored
   * backup, a new database) is taken whatever its version. Absent from servers before 0.x epochs.
   */
  epoch?: string;
  flags: FlagDefinition[];
  segments: Segment[];
}

export type DataUpdate =
  | { kind: "put"; snapshot: SdkSnapshot }
  | { kind: "patch-flag"; version: number; flag: FlagDefinition }
  | { kind: "patch-segment"; version: number; segment: Segment }
  | { kind: "delete-flag"; version: number; key: string }
  | { kind: "delete-segment"; version: number; key: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isVersion(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function flagProblem(value: unknown): string | undefined {
  if (!isFields(value)) return "a flag is not an object";
  if (typeof value.key !== "string") return "a flag has no string key";
  const where = `flag "${value.key}"`;
  if (!isVersion(value.version)) return `${where}: version is not a non-negative integer`;
  if (!Array.isArray(value.variations)) return `${where}: variations is not an array`;
  if (value.variationNames !== undefined && !isStringArray(value.variationNames))
    return `${where}: variationNames is not an array of strings`;
  if (typeof value.enabled !== "boolean") return `${where}: enabled is not a boolean`;
  if (typeof value.offVariation !== "number") return `${where}: offVariation is not a number`;
  if (!Array.isArray(value.rules) || !value.rules.every(isFields)) return `${where}: rules is not an array of objects`;
  if (!isFields(value.fallthrough)) return `${where}: fallthrough is not an object`;
  if (value.prerequisites !== undefined && !(Array.isArray(value.prerequisites) && value.prerequisites.every(isFields))) {
    return `${where}: prerequisites is not an array of objects`;
  }
  return undefined;
}

function segmentProblem(value: unknown): string | undefined {
  if (!isFields(value)) return "a segment is not an object";
  if (typeof value.key !== "string") return "a segment has no string key";
  const where = `segment "${value.key}"`;
  if (!isVersion(value.version)) return `${where}: version is not a non-negative integer`;
  if (!isStringArray(value.included)) return `${where}: included is not an array of strings`;
  if (!isStringArray(value.excluded)) return `${where}: excluded is not an array of strings`;
  if (!Array.isArray(value.rules) || !value.rules.every(isFields)) return `${where}: rules is not an array of objects`;
  return undefined;
}

function firstProblem(values: unknown[], check: (value: unknown) => string | undefined): string | undefined {
  for (const value of values) {
    const problem = check(value);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

export function parseSnapshot(value: unknown): Parsed<SdkSnapshot> {
  if (!isFields(value)) return { ok: false, problem: "the flags body is not an object" };
  if (!isVersion(value.version)) return { ok: false, problem: "version is not a non-negative integer" };
  if (!Array.isArray(value.flags)) return { ok: false, problem: "flags is not an array" };
  if (!Array.isArray(value.segments)) return { ok: false, problem: "segments is not an array" };
  const problem = firstProblem(value.flags, flagProblem) ?? firstProblem(value.segments, segmentProblem);
  if (problem !== undefined) return { ok: false, problem };
  return {
    ok: true,
    value: {
      environment: typeof value.environment === "string" ? value.environment : "",
      version: value.version,
      ...(typeof value.epoch === "string" && value.epoch !== "" ? { epoch: value.epoch } : {}),
      // Parsed boundary: every flag and segment passed the structural checks above.
      flags: value.flags as FlagDefinition[],
      segments: value.segments as Segment[],
    },
  };
}

/** Parses an SSE event's data (`put`, `patch` or `delete`) into an update. */
export function parseEvent(type: string, data: string): Parsed<DataUpdate> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, problem: `the ${type} event is not JSON` };
  }
  if (type === "put") {
    const snapshot = parseSnapshot(value);
    return snapshot.ok ? { ok: true, value: { kind: "put", snapshot: snapshot.value } } : snapshot;
  }
  if (!isFields(value) || !isVersion(value.version)) {
    return { ok: false, problem: `the ${type} event has no version` };
  }
  const version = value.version;
  if (type === "patch") {
    if (value.flag !== undefined) {
      const problem = flagProblem(value.flag);
      // Parsed boundary: the flag passed flagProblem's checks.
      if (problem === undefined) return { ok: true, value: { kind: "patch-flag", version, flag: value.flag as FlagDefinition } };
      return { ok: false, problem: `patch: ${problem}` };
    }
    const problem = segmentProblem(value.segment);
    // Parsed boundary: the segment passed segmentProblem's checks.
    if (problem === undefined) return { ok: true, value: { kind: "patch-segment", version, segment: value.segment as Segment } };
    return { ok: false, problem: `patch: ${problem}` };
  }
  if (type === "delete") {
    if (typeof value.flag === "string") return { ok: true, value: { kind: "delete-flag", version, key: value.flag } };
    if (typeof value.segment === "string") return { ok: true, value: { kind: "delete-segment", version, key: value.segment } };
    return { ok: false, problem: "the delete event names no flag or segment" };
  }
  return { ok: false, problem: `unknown event type "${type}"` };
}

/**
 * The server's metrics cadence hint: `reportAfterMs` of a `metrics` stream event or of a
 * metrics response (docs/sdk-protocol.md). Anything but a positive number means no hint.
 */
export function parseReportAfterMs(text: string): number | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isFields(value)) return undefined;
  const reportAfterMs = value.reportAfterMs;
  return typeof reportAfterMs === "number" && Number.isFinite(reportAfterMs) && reportAfterMs > 0 ? reportAfterMs : undefined;
}

/** What the stream says about the metrics cadence, or that the connection which said it ended. */
export type StreamMetricsHint = { kind: "report-after"; reportAfterMs: number | undefined } | { kind: "stream-ended" };
