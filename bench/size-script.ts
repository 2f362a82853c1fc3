import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Runs a package's `scripts/size.ts` (the one its budget is checked with), printing what it prints. */
export function runSizeScript(packageDir: string): Promise<void> {
  const cwd = fileURLToPath(new URL(`../${packageDir}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/size.ts"], { cwd, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${packageDir} size script exited with ${code}`))));
  });
}
