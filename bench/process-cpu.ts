import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * CPU time a process has used, so a bench can say which event loop was busy while it measured
 * (on a machine with few cores the processes of a bench compete for them). Linux only: read
 * from /proc; elsewhere NaN, and the bench prints "-".
 */

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU milliseconds of `pid` so far; NaN when it cannot be read. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) / clockTicks()) * 1_000;
  } catch {
    return Number.NaN;
  }
}

/** Starts counting: the returned function gives the CPU milliseconds each of `pids` used since. */
export function cpuSince(pids: readonly (number | undefined)[]): () => number[] {
  const before = pids.map(cpuMs);
  return () => pids.map((pid, i) => cpuMs(pid) - (before[i] ?? Number.NaN));
}
