import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withOpenFiles } from "./open-files";
import type { ReceiverCommand, ReceiverMessage } from "./propagation-receiver";

/**
 * The propagation bench's side of its receiving processes (propagation-receiver.ts): start them,
 * spread streams over them and over the URLs they read from, collect what they saw, and stop
 * them — killed if they do not stop, so a failed run leaves no process behind.
 */

const receiverScript = fileURLToPath(new URL("./propagation-receiver.ts", import.meta.url));

export interface Receiver {
  child: ChildProcess;
  command(command: ReceiverCommand): void;
  /** The receiver's next message of `type`; rejects on its error, its exit, or after `timeoutMs`. */
  next<T extends ReceiverMessage["type"]>(type: T, timeoutMs: number): Promise<Extract<ReceiverMessage, { type: T }>>;
  /** Toggles every stream of this receiver has seen. */
  completed: Set<number>;
}

/** A receiving process; `openFiles`: a raised `ulimit -n` for it (see open-files.ts), when its share needs one. */
export function startReceiver(openFiles: number | undefined): Receiver {
  const { command, args } = withOpenFiles(process.execPath, ["--import", "tsx", receiverScript], openFiles);
  const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waiting = new Map<string, { resolve(message: ReceiverMessage): void; reject(error: Error): void }>();
  const failAll = (error: Error) => {
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  const receiver: Receiver = {
    child,
    completed: new Set(),
    command: (command) => void child.send(command),
    next: (type, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(type);
          reject(new Error(`receiver ${child.pid}: no '${type}' within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(type, {
          resolve: (message) => {
            clearTimeout(timer);
            resolve(message as Extract<ReceiverMessage, { type: typeof type }>); // the map is keyed by the message's type
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      }),
  };
  child.on("message", (message: ReceiverMessage) => {
    if (message.type === "complete") receiver.completed.add(message.toggle);
    if (message.type === "error") return failAll(new Error(`receiver ${child.pid}: ${message.message}`));
    const waiter = waiting.get(message.type);
    waiting.delete(message.type);
    waiter?.resolve(message);
  });
  child.once("exit", (code, signal) => failAll(new Error(`receiver ${child.pid} exited (${signal ?? code})`)));
  // A command sent to a receiver that died: reported through the waiting promises, not thrown later.
  child.on("error", (error) => failAll(error));
  return receiver;
}

/**
 * Opens `count` streams with `token`, spread evenly over `receivers`; receiver i reads from
 * `urls[i % urls.length]` (several URLs: the relays, each read by the same number of receivers).
 */
export async function openStreams(receivers: readonly Receiver[], urls: readonly string[], token: string, count: number): Promise<void> {
  // Opening is 200 streams at a time per receiver, each answered with its `put`: 20,000 take seconds.
  const timeoutMs = 30_000 + count * 5;
  await Promise.all(
    receivers.map((receiver, i) => {
      const opened = receiver.next("opened", timeoutMs);
      const share = Math.floor(count / receivers.length) + (i < count % receivers.length ? 1 : 0);
      receiver.command({ type: "open", url: urls[i % urls.length] ?? "", token, count: share });
      return opened;
    }),
  );
}

/** Per receiver, per stream, when each toggle's patch arrived (wall-clock ms). */
export async function collectPatches(receivers: readonly Receiver[]): Promise<number[][][]> {
  const reports = await Promise.all(
    receivers.map((receiver) => {
      const report = receiver.next("report", 60_000);
      receiver.command({ type: "report" });
      return report;
    }),
  );
  return reports.map((report) => report.patches);
}

/** Asks each receiver to close its streams and exit; kills one that has not within 10 s. */
export async function stopReceivers(receivers: readonly Receiver[]): Promise<void> {
  await Promise.all(
    receivers.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      if (child.connected) child.send({ type: "close" } satisfies ReceiverCommand);
      else child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(force);
    }),
  );
}
