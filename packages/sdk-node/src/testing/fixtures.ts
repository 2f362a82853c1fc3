import type { FlagDefinition, Segment } from "@switchyard/core";
import type { SdkSnapshot } from "../payloads";
import type { Logger } from "../options";

/** A boolean flag serving `true` (variation 0) when enabled, `false` (1) when not. */
export function booleanFlag(key: string, enabled: boolean, version = 1): FlagDefinition {
  return { key, version, variations: [true, false], enabled, offVariation: 1, rules: [], fallthrough: { variation: 0 } };
}

/** A flag serving `variations[serve]` to everyone. */
export function staticFlag(key: string, variations: FlagDefinition["variations"], serve: number, version = 1): FlagDefinition {
  return { key, version, variations, enabled: true, offVariation: 0, rules: [], fallthrough: { variation: serve } };
}

/** True for contexts in `segment`, false otherwise. */
export function segmentFlag(key: string, segment: string, version = 1): FlagDefinition {
  return {
    key,
    version,
    variations: [true, false],
    enabled: true,
    offVariation: 1,
    rules: [{ id: "in-segment", conditions: [], segments: [segment], serve: { variation: 0 } }],
    fallthrough: { variation: 1 },
  };
}

export function segment(key: string, included: string[], version = 1): Segment {
  return { key, version, included, excluded: [], rules: [] };
}

export function snapshot(version: number, flags: FlagDefinition[], segments: Segment[] = []): SdkSnapshot {
  return { environment: "test", version, flags, segments };
}

export interface RecordingLogger extends Logger {
  warnings: string[];
  errors: string[];
}

/** A logger that keeps what it was told, so tests stay quiet and can assert on it. */
export function recordingLogger(): RecordingLogger {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    warn: (message) => warnings.push(message),
    error: (message) => errors.push(message),
  };
}
