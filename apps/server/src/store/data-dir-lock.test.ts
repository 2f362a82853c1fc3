import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { acquireDataDirLock } from "./data-dir-lock";

const lockModule = fileURLToPath(new URL("./data-dir-lock.ts", import.meta.url));

/** Another process that takes the lock, says so, and holds it until it is killed. */
function holdLockInChild(dataDir: string): Promise<{ kill(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      `require(${JSON.stringify(lockModule)}).acquireDataDirLock(${JSON.stringify(dataDir)}); console.log("held"); setInterval(() => {}, 1000);`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
    child.stdout.once("data", () => {
      child.removeAllListeners("exit");
      resolve({
        kill: () =>
          new Promise((done) => {
            child.once("exit", () => done());
            child.kill("SIGKILL");
          }),
      });
    });
  });
}

describe("the embedded data folder lock", () => {
  it("refuses a folder another process holds, and takes it the moment that process is killed", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "switchyard-lock-"));
    const holder = await holdLockInChild(dataDir);
    expect(() => acquireDataDirLock(dataDir)).toThrow(/in use by another Switchyard server \(pid \d+\)/);
    await holder.kill();
    // No stale lock after a kill -9: the operating system released it with the process.
    const release = acquireDataDirLock(dataDir);
    release();
  });

  it("is not fooled by a pid in the file: only a held lock counts", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "switchyard-lock-"));
    // A live process (this one) named in the file, as a pid file left behind would be.
    writeFileSync(join(dataDir, "server.lock"), `${process.pid}\n`);
    const release = acquireDataDirLock(dataDir);
    expect(() => acquireDataDirLock(dataDir)).toThrow(/in use/);
    release();
    acquireDataDirLock(dataDir)();
  });
});
