import { readFileSync } from "node:fs";
import { FailureModes, type FailureMode } from "./failure-model";

export type KeyAction = FailureMode | "quit";

/** One key, no Enter: `f` flagged, `e` everything, `r` repair, `q` or Ctrl-C quit. */
export function keyAction(key: string): KeyAction | undefined {
  switch (key.toLowerCase()) {
    case "f":
      return FailureModes.flagged;
    case "e":
      return FailureModes.everything;
    case "r":
      return FailureModes.healthy;
    case "q":
    case "\u0003": // Ctrl-C: raw mode turns it into a byte instead of SIGINT
    case "\u0004": // Ctrl-D
      return "quit";
    default:
      return undefined;
  }
}

/**
 * From `/proc/self/stat`: is this process in its terminal's foreground process group? Fields
 * after the command name (which may hold spaces and parentheses): state, ppid, pgrp, session,
 * tty_nr, tpgid.
 */
export function isForegroundStat(stat: string): boolean {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const pgrp = fields[2];
  const tpgid = fields[5];
  return pgrp !== undefined && pgrp === tpgid;
}

/**
 * A job started in the background (`… &`) that touches the terminal's mode is stopped by the
 * kernel (SIGTTOU), so keys are read only in the foreground. Without `/proc` (macOS) there is
 * no cheap way to ask; assume the foreground, the common case.
 */
function inForeground(): boolean {
  try {
    return isForegroundStat(readFileSync("/proc/self/stat", "utf8"));
  } catch {
    return true;
  }
}

/** Reads single keys from the terminal; returns a stop function, or null when stdin is not an interactive terminal. */
export function listenForKeys(onAction: (action: KeyAction) => void): (() => void) | null {
  const stdin = process.stdin;
  if (!stdin.isTTY || !inForeground()) return null;
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  const onData = (chunk: string) => {
    for (const key of chunk) {
      const action = keyAction(key);
      if (action !== undefined) onAction(action);
    }
  };
  stdin.on("data", onData);
  stdin.resume();
  return () => {
    stdin.off("data", onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
