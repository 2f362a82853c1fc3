import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * PGlite is one process's database: two servers on the same folder would corrupt it. A pid file
 * makes the second start fail with a clear message; a pid file left by a dead process is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const file = join(dataDir, "server.pid");
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const holder = Number.parseInt(readFileSync(file, "utf8"), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The data folder ${dataDir} is in use by another Switchyard server (pid ${holder}). ` +
          "Stop it, or set SWITCHYARD_DATA_DIR to another folder.",
      );
    }
    writeFileSync(file, String(process.pid));
  }
  return () => rmSync(file, { force: true });
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "EEXIST";
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}
