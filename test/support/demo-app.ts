import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "./server-process";

const root = fileURLToPath(new URL("../..", import.meta.url));

export type DemoMode = "healthy" | "flagged" | "everything";

/** The part of the demo's `GET /` the tests read; parsed from `unknown`. */
export interface DemoAppStatus {
  mode: string;
  served: { new: number; old: number };
  errors: { new: number; old: number };
  /** The last two whole seconds. */
  recent: { new: number; old: number };
  flagOnForAnyone: boolean | null;
  configVersion: number | null;
}

export interface DemoApp {
  url: string;
  setMode(mode: DemoMode): Promise<void>;
  status(): Promise<DemoAppStatus>;
  output(): string;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const field = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (isRecord(at) ? at[key] : undefined), value);
const count = (value: unknown, ...path: string[]): number => {
  const n = field(value, ...path);
  if (typeof n !== "number") throw new Error(`demo status: ${path.join(".")} is not a number: ${JSON.stringify(value)}`);
  return n;
};

function parseStatus(body: unknown): DemoAppStatus {
  const flagOn = field(body, "flagOnForAnyone");
  const version = field(body, "sdk", "configVersion");
  return {
    mode: String(field(body, "mode")),
    served: { new: count(body, "served", "new"), old: count(body, "served", "old") },
    errors: { new: count(body, "errors", "new"), old: count(body, "errors", "old") },
    recent: { new: count(body, "recent", "counts", "new", "requests"), old: count(body, "recent", "counts", "old", "requests") },
    flagOnForAnyone: typeof flagOn === "boolean" ? flagOn : null,
    configVersion: typeof version === "number" ? version : null,
  };
}

/**
 * Starts `apps/demo` the way `pnpm demo` does (tsx, a real process, the Node SDK inside) and
 * waits until it serves its status: it listens only once the SDK has the flags.
 */
export async function startDemoApp(env: Record<string, string>): Promise<DemoApp> {
  const port = env.DEMO_PORT ? Number(env.DEMO_PORT) : await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "apps/demo/src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env, DEMO_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const url = `http://127.0.0.1:${port}`;

  const status = async () => parseStatus(await (await fetch(`${url}/`)).json());
  const app: DemoApp = {
    url,
    status,
    output: () => output,
    async setMode(mode) {
      const res = await fetch(`${url}${mode === "healthy" ? "/repair" : `/break/${mode}`}`, { method: "POST" });
      if (!res.ok) throw new Error(`demo: POST for ${mode} answered ${res.status}: ${await res.text()}`);
    },
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !done) {
    try {
      await status();
      return app;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`the demo app did not start:\n${output}`);
}
