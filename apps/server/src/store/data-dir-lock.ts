import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { tryLock, unlock } from "fs-native-extensions";

/**
 * PGlite is one process's database: two servers on the same folder would corrupt it. The first
 * server holds an exclusive lock on `server.lock`, taken from the operating system (an open file
 * description lock on Linux, `flock` on macOS, `LockFileEx` on Windows). The OS drops the lock when
 * the process ends however it ends, so there is no stale lock to clean up after a crash or a
 * `kill -9`, and a reused pid cannot hold a folder. The file also carries the holder's pid, for
 * the message a second server prints.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const file = join(dataDir, "server.lock");
  const fd = openSync(file, "a+");
  let granted = false;
  try {
    granted = tryLock(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (!granted) {
    closeSync(fd);
    throw new Error(
      `The data folder ${dataDir} is in use by another Switchyard server${describeHolder(file)}. ` +
        "Stop it, or set SWITCHYARD_DATA_DIR to another folder.",
    );
  }
  ftruncateSync(fd);
  writeSync(fd, `${process.pid}\n`, 0);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    unlock(fd);
    closeSync(fd);
  };
}

function describeHolder(file: string): string {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    return Number.isInteger(pid) ? ` (pid ${pid})` : "";
  } catch {
    return "";
  }
}
