import { SwitchyardError, SwitchyardErrorCodes } from "./errors";

const States = { WAITING: "waiting", READY: "ready", TIMED_OUT: "timed-out", FAILED: "failed" } as const;
type State = (typeof States)[keyof typeof States];

/**
 * The promise behind `ready()`. It resolves on the first data from the server or the backup
 * file and rejects after the timeout, or at once on a fatal error. Data arriving after a
 * timeout makes later `ready()` calls resolve; a fatal error is final. Every rejected promise
 * has a handler attached, so a caller that never awaits gets no unhandled rejection.
 */
export class Readiness {
  private state: State = States.WAITING;
  private promise: Promise<void>;
  private resolvePromise: () => void = () => {};
  private rejectPromise: (error: SwitchyardError) => void = () => {};
  private timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number, onTimeout: (error: SwitchyardError) => void) {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    this.promise.catch(() => {});
    this.timer = setTimeout(() => {
      if (this.state !== States.WAITING) return;
      const error = new SwitchyardError(
        SwitchyardErrorCodes.READY_TIMEOUT,
        `Switchyard sent no flag data within ${timeoutMs} ms; serving bootstrap data or defaults until it does`,
      );
      this.state = States.TIMED_OUT;
      this.rejectPromise(error);
      onTimeout(error);
    }, timeoutMs);
    this.timer.unref();
  }

  wait(): Promise<void> {
    return this.promise;
  }

  /** Returns true the first time data arrives (also after a timeout), false afterwards. */
  markReady(): boolean {
    if (this.state === States.READY || this.state === States.FAILED) return false;
    if (this.state === States.TIMED_OUT) this.promise = Promise.resolve();
    this.state = States.READY;
    this.resolvePromise();
    this.dispose();
    return true;
  }

  /** A final failure: `ready()` rejects from now on (unless it had already resolved). */
  fail(error: SwitchyardError): void {
    if (this.state === States.READY || this.state === States.FAILED) return;
    if (this.state === States.TIMED_OUT) {
      this.promise = Promise.reject(error);
      this.promise.catch(() => {});
    }
    this.state = States.FAILED;
    this.rejectPromise(error);
    this.dispose();
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
