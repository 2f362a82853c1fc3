import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchSuite } from "./bench-suite";

const sdkBrowser = fileURLToPath(new URL("../packages/sdk-browser", import.meta.url));

/** The browser SDK's min+gzip size next to its peers' (the size script of the package, as CI's budget test uses). */
export const browserSizeBench: BenchSuite = {
  name: "browser-size",
  description: "browser SDK bundle, min+gzip, with the peers users compare it with (budget 3 KB)",
  run: () =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/size.ts"], { cwd: sdkBrowser, stdio: "inherit" });
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`size script exited with ${code}`))));
    }),
};
