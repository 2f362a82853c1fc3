import type { SwitchyardError } from "./errors";

/** Events of a client, with their listener arguments. */
export type ClientEvents = {
  /** The first data from the server or the backup file arrived. */
  ready: [];
  /** Flags whose value or configuration may have changed (sorted keys). */
  change: [keys: string[]];
  /** A problem the SDK could not hide: a rejected token, a failing server, a bad payload. */
  error: [error: SwitchyardError];
  /** The stream was lost: the data served may be out of date until `recovered`. */
  stale: [reason: string];
  /** After `stale`, the server confirmed the data again (stream reopened or a poll succeeded). */
  recovered: [];
};

type ListenerSets<E extends Record<string, unknown[]>> = { [K in keyof E]?: Set<(...args: E[K]) => void> };

/**
 * A minimal typed emitter. Unlike node:events, an `error` without listeners does not throw,
 * and a throwing listener is reported instead of breaking the SDK's own work.
 */
export class TypedEmitter<E extends Record<string, unknown[]>> {
  private readonly listeners: ListenerSets<E> = {};

  constructor(private readonly onListenerError: (event: keyof E, error: unknown) => void) {}

  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    const set = this.listeners[event] ?? new Set();
    set.add(listener);
    this.listeners[event] = set;
  }

  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    this.listeners[event]?.delete(listener);
  }

  /** Calls every listener of `event`; returns whether there was one. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const set = this.listeners[event];
    if (set === undefined || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
    return true;
  }

  removeAll(): void {
    for (const set of Object.values(this.listeners)) set?.clear();
  }
}
