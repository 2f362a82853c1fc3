import { decide } from "../decision-engine";
import type { CohortCount, DecisionInput, DeployDecision, FlagOff, GaugeSample, Guard, Propagation } from "../types";

/**
 * A deterministic simulation for the scenario table: traffic split into flag cohorts with
 * exact expected counts, SDK instances that acknowledge a flag-off after a delay (or never),
 * and the service loop — tick at the end of every interval, apply the actions it returns.
 */

const NEW_VARIATION = 0;
const OFF_VARIATION = 1;
export const STARTED_AT = new Date("2025-03-01T12:00:00.000Z");

export interface FlagModel {
  key: string;
  /** Share of contexts on the new variation while the flag is on. */
  share: number;
  /** Error rate the new variation adds, from interval `badFrom` on (default 0). */
  extraErrorRate?: number;
  badFrom?: number;
}

export interface ScenarioModel {
  guard?: Partial<Guard>;
  flags: FlagModel[];
  requestsPerInterval: number;
  /** Error rate everyone sees; a function to make it depend on time or on which flags are off. */
  baseErrorRate: number | ((interval: number, off: ReadonlySet<string>) => number);
  /** SDK `track()` counts per cohort (default true). */
  sdkCounts?: boolean;
  /** Pushed service-wide `error_rate` gauge samples, `perInterval` evenly spread; `spikes` override some. */
  gauge?: { perInterval: number; spikes?: Array<{ interval: number; sample: number; value: number }> };
  /** Each connected instance's acknowledgement delay after a flag-off, ms (null: never). */
  instances?: Array<number | null>;
  /** Someone else turns a flag off right after the decision of this tick (e.g. under decide-only). */
  externalOff?: Array<{ tick: number; flag: string }>;
  ticks: number;
}

export const BASE_GUARD: Guard = {
  windowSeconds: 300,
  intervalSeconds: 30,
  checks: [{ signal: "error_rate", max: 0.02 }],
  onBreach: "disable-flags",
};

export interface TickResult {
  tick: number;
  now: Date;
  input: DecisionInput;
  decision: DeployDecision;
}

interface Cohorts {
  requests: Map<string, [number, number]>;
  errors: Map<string, [number, number]>;
  overallRate: number;
}

export function runScenario(model: ScenarioModel): TickResult[] {
  const guard: Guard = { ...BASE_GUARD, ...model.guard };
  const intervalMs = guard.intervalSeconds * 1000;
  const delays = model.instances ?? Array.from({ length: 20 }, () => 500);
  const samples: GaugeSample[] = [];
  const counts: CohortCount[] = [];
  const flagsOff: FlagOff[] = [];
  let version = 10;
  let previous: DeployDecision | undefined;
  const results: TickResult[] = [];

  const ackTimes = (off: FlagOff) => delays.map((delay) => (delay === null ? null : off.disabledAt.getTime() + delay));
  const newShare = (flag: FlagModel, atMs: number) => {
    const off = flagsOff.find((o) => o.flag === flag.key);
    if (off === undefined) return flag.share;
    const acknowledged = ackTimes(off).filter((t) => t !== null && t <= atMs).length;
    return flag.share * (1 - acknowledged / delays.length);
  };

  for (let tick = 0; tick < model.ticks; tick++) {
    const fromMs = STARTED_AT.getTime() + tick * intervalMs;
    const now = new Date(fromMs + intervalMs + 1000);
    const shares = model.flags.map((flag) => newShare(flag, fromMs));
    const offFlags = new Set(model.flags.filter((flag, i) => shares[i] === 0).map((flag) => flag.key));
    const base = typeof model.baseErrorRate === "number" ? model.baseErrorRate : model.baseErrorRate(tick, offFlags);
    const cohorts = traffic(model, tick, shares, base);
    const at = new Date(fromMs + 1000);
    if (model.sdkCounts ?? true) {
      for (const flag of model.flags) {
        for (const variation of [NEW_VARIATION, OFF_VARIATION]) {
          const requests = Math.round(cohorts.requests.get(flag.key)?.[variation] ?? 0);
          const errors = Math.round(cohorts.errors.get(flag.key)?.[variation] ?? 0);
          if (requests > 0) counts.push({ event: "request", flag: flag.key, variation, count: requests, at });
          if (errors > 0) counts.push({ event: "error", flag: flag.key, variation, count: errors, at });
        }
      }
      if (model.flags.length === 0) {
        counts.push({ event: "request", count: model.requestsPerInterval, at });
        counts.push({ event: "error", count: Math.round(model.requestsPerInterval * base), at });
      }
    }
    const perInterval = model.gauge?.perInterval ?? 0;
    for (let sample = 0; sample < perInterval; sample++) {
      const spike = model.gauge?.spikes?.find((s) => s.interval === tick && s.sample === sample);
      samples.push({ signal: "error_rate", value: spike?.value ?? cohorts.overallRate, at: new Date(fromMs + (sample * intervalMs) / perInterval) });
    }

    const propagation: Propagation[] = flagsOff.map((off) => ({
      flag: off.flag,
      version: off.version,
      instances: ackTimes(off).map((t) => ({ acknowledgedAt: t !== null && t <= now.getTime() ? new Date(t) : null })),
    }));
    const input: DecisionInput = {
      guard,
      startedAt: STARTED_AT,
      flags: model.flags.map((flag) => ({ key: flag.key, offVariation: OFF_VARIATION })),
      samples: [...samples],
      counts: [...counts],
      flagsOff: [...flagsOff],
      propagation,
      now,
      ...(previous === undefined ? {} : { previous }),
    };
    const decision = decide(input);
    results.push({ tick, now, input, decision });
    previous = decision;
    const turnOff = [...decision.actions.map((a) => a.flag), ...(model.externalOff ?? []).filter((o) => o.tick === tick).map((o) => o.flag)];
    for (const flag of turnOff) {
      if (!flagsOff.some((o) => o.flag === flag)) flagsOff.push({ flag, disabledAt: now, version: ++version });
    }
  }
  return results;
}

/** Expected counts per flag variation: every combination of flag assignments is one cell. */
function traffic(model: ScenarioModel, interval: number, shares: number[], base: number): Cohorts {
  const requests = new Map<string, [number, number]>(model.flags.map((f) => [f.key, [0, 0]]));
  const errors = new Map<string, [number, number]>(model.flags.map((f) => [f.key, [0, 0]]));
  let overallErrors = 0;
  const cells = 2 ** model.flags.length;
  for (let cell = 0; cell < cells; cell++) {
    let fraction = 1;
    let rate = base;
    const onNew = model.flags.map((flag, i) => {
      const isNew = (cell >> i) % 2 === 1;
      const share = shares[i] ?? 0;
      fraction *= isNew ? share : 1 - share;
      if (isNew && interval >= (flag.badFrom ?? 0)) rate += flag.extraErrorRate ?? 0;
      return isNew;
    });
    const cellRequests = model.requestsPerInterval * fraction;
    overallErrors += cellRequests * rate;
    model.flags.forEach((flag, i) => {
      const variation = onNew[i] ? NEW_VARIATION : OFF_VARIATION;
      const r = requests.get(flag.key);
      const e = errors.get(flag.key);
      if (r !== undefined) r[variation] += cellRequests;
      if (e !== undefined) e[variation] += cellRequests * rate;
    });
  }
  return { requests, errors, overallRate: overallErrors / model.requestsPerInterval };
}

/** `repeat("observing", 3)` → ["observing", "observing", "observing"] */
export function repeat<T>(value: T, times: number): T[] {
  return Array.from({ length: times }, () => value);
}
