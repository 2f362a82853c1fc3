import { randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { describeError } from "./errors";
import { parseSnapshot, type SdkSnapshot } from "./payloads";

/**
 * The backup file holds a `GET /api/sdk/flags` body as is (so it can also serve as a
 * `bootstrap`); its modification time says how old the data is.
 */
export type BackupRead =
  | { kind: "missing" }
  | { kind: "invalid"; problem: string }
  | { kind: "found"; snapshot: SdkSnapshot; savedAt: number };

/**
 * Read synchronously, once, when the client is created: a process restarted during an outage
 * serves its last known flags from its very first evaluation.
 */
export function readBackupFile(path: string): BackupRead {
  let text: string;
  let savedAt: number;
  try {
    text = readFileSync(path, "utf8");
    savedAt = statSync(path).mtimeMs;
  } catch (error) {
    const missing = typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT";
    return missing ? { kind: "missing" } : { kind: "invalid", problem: describeError(error) };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: "invalid", problem: "not JSON" };
  }
  const parsed = parseSnapshot(body);
  return parsed.ok ? { kind: "found", snapshot: parsed.value, savedAt } : { kind: "invalid", problem: parsed.problem };
}

/**
 * Writes snapshots atomically: a temporary file in the same folder, flushed to disk, then
 * renamed over the backup, so a crash mid-write never leaves a torn file. Writes are
 * serialized and coalesced: while one is in progress only the latest pending snapshot is kept.
 */
export class BackupWriter {
  private pending: SdkSnapshot | undefined;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly onError: (message: string) => void,
  ) {}

  write(snapshot: SdkSnapshot): void {
    this.pending = snapshot;
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves when every requested write has finished (or failed and been reported). */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.pending !== undefined) {
      const snapshot = this.pending;
      this.pending = undefined;
      await this.writeAtomically(JSON.stringify(snapshot));
    }
  }

  private async writeAtomically(text: string): Promise<void> {
    const temporary = `${this.path}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
    try {
      const file = await open(temporary, "w");
      try {
        await file.writeFile(text, "utf8");
        await file.datasync();
      } finally {
        await file.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      this.onError(`could not write the backup file ${this.path}: ${describeError(error)}`);
    }
  }
}
