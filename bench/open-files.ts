import { execFileSync, spawnSync } from "node:child_process";

/**
 * File descriptors for benches that hold tens of thousands of sockets: every stream is one
 * socket in the process that reads it and one in the process that serves it, and the soft
 * `ulimit -n` (often 1,024 or 20,000) is per process. Node cannot raise its own limit, so a child
 * that needs more is started through `sh -c "ulimit -n N; exec …"` — only when it does.
 */

/** Sockets are not all a process opens (its modules, pipes, the database): room for those. */
const MARGIN = 1_024;

export interface OpenFilesLimit {
  soft: number;
  hard: number;
}

const asLimit = (text: string | undefined) => (text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text));

/** This process's limits as a child started now inherits them. */
export function openFilesLimit(): OpenFilesLimit {
  const [soft, hard] = execFileSync("sh", ["-c", "ulimit -Sn; ulimit -Hn"], { encoding: "utf8" }).trim().split("\n");
  return { soft: asLimit(soft), hard: asLimit(hard) };
}

/** Descriptors a process needs to hold `sockets` open. */
export const openFilesFor = (sockets: number) => sockets + MARGIN;

/**
 * Whether children can be given `needed` descriptors: at once (the soft limit allows it), by
 * raising the soft limit in the child's shell, or not at all (then `problem` says what to do).
 */
export function planOpenFiles(needed: number): { raiseTo: number | undefined; problem: string | undefined } {
  const limit = openFilesLimit();
  if (limit.soft >= needed) return { raiseTo: undefined, problem: undefined };
  // The hard limit may be raised too by a privileged user: ask the shell rather than guess.
  const raised = spawnSync("sh", ["-c", `ulimit -n ${needed}`]).status === 0;
  if (raised) return { raiseTo: needed, problem: undefined };
  return {
    raiseTo: undefined,
    problem:
      `needs ${needed} open files per process but ulimit -n is ${limit.soft} (hard ${limit.hard}) and cannot be raised here: ` +
      `run \`ulimit -n ${needed}\` as a user allowed to, or open fewer streams per process`,
  };
}

/** `command args…` as given, or wrapped in a shell that first raises the limit to `raiseTo`. */
export function withOpenFiles(command: string, args: string[], raiseTo: number | undefined): { command: string; args: string[] } {
  if (raiseTo === undefined) return { command, args };
  // "$0" "$@": the command and its arguments reach exec untouched by the shell's word splitting.
  return { command: "sh", args: ["-c", `ulimit -n ${raiseTo} && exec "$0" "$@"`, command, ...args] };
}
