import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * A small, honest harness: each case runs its own loop (so no per-operation callback is
 * measured), cases are warmed up, then measured in interleaved rounds (so a GC or frequency
 * change hits every case alike), and the median ns/op over the rounds is reported. Each loop
 * returns a value that is folded into a checksum printed at the end, so no work is dead code.
 */

export interface BenchCase {
  name: string;
  /** Runs the operation `iterations` times; returns something derived from every result. */
  run(iterations: number): number;
}

export interface Measurement {
  name: string;
  nsPerOp: number;
  /** ns/op of every round, sorted. */
  rounds: number[];
}

export interface MeasureOptions {
  warmupMs?: number;
  roundMs?: number;
  rounds?: number;
}

let checksum = 0;

/** The sum of everything the measured loops returned (print it to keep their work alive). */
export function benchChecksum(): number {
  return checksum;
}

setFlagsFromString("--expose-gc");
const collectGarbage: unknown = runInNewContext("gc");

/** A full GC, when the runtime allows it (`--expose-gc` is set above, before first use). */
export function gc(): void {
  if (typeof collectGarbage === "function") collectGarbage();
}

function elapsedNs(run: BenchCase["run"], iterations: number): number {
  const start = process.hrtime.bigint();
  checksum += run(iterations);
  return Number(process.hrtime.bigint() - start);
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Iterations that take about `targetMs`, found by doubling during warm-up. */
function calibrate(benchCase: BenchCase, warmupMs: number, targetMs: number): number {
  let iterations = 1_000;
  let spentNs = 0;
  let perOpNs = Number.POSITIVE_INFINITY;
  while (spentNs < warmupMs * 1e6) {
    const ns = elapsedNs(benchCase.run, iterations);
    spentNs += ns;
    perOpNs = ns / iterations;
    if (ns < targetMs * 1e6) iterations *= 2;
  }
  return Math.max(1_000, Math.round((targetMs * 1e6) / perOpNs));
}

export function measure(cases: readonly BenchCase[], options: MeasureOptions = {}): Measurement[] {
  const warmupMs = options.warmupMs ?? 400;
  const roundMs = options.roundMs ?? 60;
  const roundCount = options.rounds ?? 15;
  const iterations = cases.map((benchCase) => calibrate(benchCase, warmupMs, roundMs));
  const samples = cases.map((): number[] => []);
  for (let round = 0; round < roundCount; round++) {
    cases.forEach((benchCase, index) => {
      gc();
      const count = iterations[index] ?? 1_000;
      samples[index]?.push(elapsedNs(benchCase.run, count) / count);
    });
  }
  return cases.map((benchCase, index) => {
    const rounds = [...(samples[index] ?? [])].sort((a, b) => a - b);
    return { name: benchCase.name, nsPerOp: median(rounds), rounds };
  });
}

/**
 * A case whose operation may be asynchronous (an SDK whose evaluation returns a Promise): `run`
 * awaits each call in turn and resolves to something derived from every result.
 */
export interface AsyncBenchCase {
  name: string;
  run(iterations: number): number | Promise<number>;
}

/** Like `elapsedNs`; a case that returns a number is timed exactly as `measure` times it. */
async function elapsedNsAsync(run: AsyncBenchCase["run"], iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  const result = run(iterations);
  checksum += typeof result === "number" ? result : await result;
  return Number(process.hrtime.bigint() - start);
}

async function calibrateAsync(benchCase: AsyncBenchCase, warmupMs: number, targetMs: number): Promise<number> {
  let iterations = 1_000;
  let spentNs = 0;
  let perOpNs = Number.POSITIVE_INFINITY;
  while (spentNs < warmupMs * 1e6) {
    const ns = await elapsedNsAsync(benchCase.run, iterations);
    spentNs += ns;
    perOpNs = ns / iterations;
    if (ns < targetMs * 1e6) iterations *= 2;
  }
  return Math.max(1_000, Math.round((targetMs * 1e6) / perOpNs));
}

/**
 * `measure` for cases that may be asynchronous, with the same warm-up, interleaved rounds and
 * median. Synchronous cases run and are timed as in `measure`; an asynchronous case's time
 * includes awaiting each of its calls.
 */
export async function measureAsync(cases: readonly AsyncBenchCase[], options: MeasureOptions = {}): Promise<Measurement[]> {
  const warmupMs = options.warmupMs ?? 400;
  const roundMs = options.roundMs ?? 60;
  const roundCount = options.rounds ?? 15;
  const iterations: number[] = [];
  for (const benchCase of cases) iterations.push(await calibrateAsync(benchCase, warmupMs, roundMs));
  const samples = cases.map((): number[] => []);
  for (let round = 0; round < roundCount; round++) {
    for (const [index, benchCase] of cases.entries()) {
      gc();
      const count = iterations[index] ?? 1_000;
      samples[index]?.push((await elapsedNsAsync(benchCase.run, count)) / count);
    }
  }
  return cases.map((benchCase, index) => {
    const rounds = [...(samples[index] ?? [])].sort((a, b) => a - b);
    return { name: benchCase.name, nsPerOp: median(rounds), rounds };
  });
}

/** Median wall time of `fn` over `runs` runs, in milliseconds (after one warm-up run). */
export function timeMs(fn: () => unknown, runs: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const start = process.hrtime.bigint();
    checksum += fn() === undefined ? 0 : 1;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times.sort((a, b) => a - b));
}

/** Heap growth (bytes) caused by keeping `build()`'s result alive, measured between full GCs. */
export function heapDelta(build: () => unknown): { bytes: number; keep: unknown } {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = build();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  return { bytes: after - before, keep };
}

/** Prints rows as an aligned text table (first row is the header). */
export function printTable(rows: readonly (readonly string[])[]): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  const line = (row: readonly string[]) =>
    row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0))).join("  ");
  rows.forEach((row, index) => {
    console.log(line(row));
    if (index === 0) console.log(widths.map((width) => "-".repeat(width)).join("  "));
  });
}
