import type { ChangeBus } from "./change-bus";

/** One process, no services: the embedded mode. */
export function inProcessBus(): ChangeBus {
  const listeners = new Set<(seq: number) => void>();
  return {
    kind: "in-process",
    publish(seq) {
      for (const listener of listeners) listener(seq);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}
