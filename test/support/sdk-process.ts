import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface SdkProcess {
  instanceId: string;
  /** SIGSTOP: the process stops answering, its sockets stay open. */
  freeze(): void;
  /** SIGCONT, then SIGTERM; waits for the exit. */
  stop(): Promise<void>;
}

/** An application with the Node SDK in a child process (test/support/sdk-instance.ts), once its SDK is ready. */
export async function startSdkProcess(env: { SWITCHYARD_URL: string; SWITCHYARD_TOKEN: string }): Promise<SdkProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/sdk-instance.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let output = "";
  const instanceId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SDK process did not get ready:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^ready (\S+)$/m.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    void exited.then(() => reject(new Error(`the SDK process exited:\n${output}`)));
  });
  return {
    instanceId,
    freeze: () => void child.kill("SIGSTOP"),
    async stop() {
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      await exited;
    },
  };
}
