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
  /** Latency the new variation adds, ms, from interval `badFrom` on (default 0). */
  extraLatencyMs?: number;
  badFrom?: number;
}

/** Deterministic noise for latency samples: the n-th sample is off its mean by this × `jitterMs`. */
const JITTER = [-1, 1, 0] as const;

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
  /**
   * Pushed `latency_p99_ms` samples: `perInterval` service-wide (no flag) and `cohortPerInterval`
   * per flag variation that served traffic, evenly spread, each ± `jitterMs` in a fixed pattern.
   */
  latency?: { baseMs: number | ((interval: number) => number); perInterval: number; cohortPerInterval?: number; jitterMs?: number };
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
  /** Request-weighted mean latency per flag variation, and overall. */
  latency: Map<string, [number, number]>;
  overallLatencyMs: number;
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
    const baseLatencyMs =
      model.latency === undefined ? 0 : typeof model.latency.baseMs === "number" ? model.latency.baseMs : model.latency.baseMs(tick);
    const cohorts = traffic(model, tick, shares, base, baseLatencyMs);
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
      samples.push({
        signal: "error_rate",
        value: spike?.value ?? cohorts.overallRate,
        at: new Date(fromMs + (sample * intervalMs) / perInterval),
      });
    }
    if (model.latency !== undefined) samples.push(...latencySamples(model.latency, tick, fromMs, intervalMs, cohorts, model.flags, shares));

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
    const turnOff = [
      ...decision.actions.map((a) => a.flag),
      ...(model.externalOff ?? []).filter((o) => o.tick === tick).map((o) => o.flag),
    ];
    for (const flag of turnOff) {
      if (!flagsOff.some((o) => o.flag === flag)) flagsOff.push({ flag, disabledAt: now, version: ++version });
    }
  }
  return results;
}

/** Service-wide samples at the overall latency, and per flag variation at its cohort's, for one interval. */
function latencySamples(
  latency: NonNullable<ScenarioModel["latency"]>,
  tick: number,
  fromMs: number,
  intervalMs: number,
  cohorts: Cohorts,
  flags: FlagModel[],
  shares: number[],
): GaugeSample[] {
  const noisy = (meanMs: number, n: number) => meanMs + (JITTER[n % JITTER.length] ?? 0) * (latency.jitterMs ?? 0);
  const spread = (perInterval: number, make: (sample: number, at: Date) => GaugeSample) =>
    Array.from({ length: perInterval }, (_, sample) =>
      make(tick * perInterval + sample, new Date(fromMs + (sample * intervalMs) / perInterval)),
    );
  const samples = spread(latency.perInterval, (n, at) => ({ signal: "latency_p99_ms", value: noisy(cohorts.overallLatencyMs, n), at }));
  flags.forEach((flag, i) => {
    const share = shares[i] ?? 0;
    for (const variation of [NEW_VARIATION, OFF_VARIATION]) {
      const meanMs = cohorts.latency.get(flag.key)?.[variation];
      if (meanMs === undefined || (variation === NEW_VARIATION ? share : 1 - share) === 0) continue;
      samples.push(
        ...spread(latency.cohortPerInterval ?? 0, (n, at) => ({
          signal: "latency_p99_ms",
          value: noisy(meanMs, n),
          at,
          flag: flag.key,
          variation,
        })),
      );
    }
  });
  return samples;
}

/** Expected counts (and mean latency) per flag variation: every combination of flag assignments is one cell. */
function traffic(model: ScenarioModel, interval: number, shares: number[], base: number, baseLatencyMs: number): Cohorts {
  const perVariation = () => new Map<string, [number, number]>(model.flags.map((f) => [f.key, [0, 0]]));
  const [requests, errors, latencySums] = [perVariation(), perVariation(), perVariation()];
  let overallErrors = 0;
  let overallLatency = 0;
  const cells = 2 ** model.flags.length;
  for (let cell = 0; cell < cells; cell++) {
    let fraction = 1;
    let rate = base;
    let latencyMs = baseLatencyMs;
    const onNew = model.flags.map((flag, i) => {
      const isNew = (cell >> i) % 2 === 1;
      const share = shares[i] ?? 0;
      fraction *= isNew ? share : 1 - share;
      if (isNew && interval >= (flag.badFrom ?? 0)) {
        rate += flag.extraErrorRate ?? 0;
        latencyMs += flag.extraLatencyMs ?? 0;
      }
      return isNew;
    });
    const cellRequests = model.requestsPerInterval * fraction;
    overallErrors += cellRequests * rate;
    overallLatency += cellRequests * latencyMs;
    model.flags.forEach((flag, i) => {
      const variation = onNew[i] ? NEW_VARIATION : OFF_VARIATION;
      const add = (map: Map<string, [number, number]>, value: number) => {
        const row = map.get(flag.key);
        if (row !== undefined) row[variation] += value;
      };
      add(requests, cellRequests);
      add(errors, cellRequests * rate);
      add(latencySums, cellRequests * latencyMs);
    });
  }
  const latency = new Map(
    [...latencySums].map(([key, sums]): [string, [number, number]] => {
      const r = requests.get(key) ?? [0, 0];
      return [key, [r[0] > 0 ? sums[0] / r[0] : baseLatencyMs, r[1] > 0 ? sums[1] / r[1] : baseLatencyMs]];
    }),
  );
  return {
    requests,
    errors,
    overallRate: overallErrors / model.requestsPerInterval,
    latency,
    overallLatencyMs: overallLatency / model.requestsPerInterval,
  };
}

/** `repeat("observing", 3)` → ["observing", "observing", "observing"] */
export function repeat<T>(value: T, times: number): T[] {
  return Array.from({ length: times }, () => value);
}
