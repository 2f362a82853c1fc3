import type { ClientEvent, ClientEventArgs, ClientListener } from "./client-types";

export interface Emitter {
  on<E extends ClientEvent>(event: E, listener: ClientListener<E>): () => void;
  off<E extends ClientEvent>(event: E, listener: ClientListener<E>): void;
  emit<E extends ClientEvent>(event: E, ...args: ClientEventArgs[E]): void;
  clear(): void;
}

type Listeners = { [E in ClientEvent]: Set<ClientListener<E>> };

export function createEmitter(): Emitter {
  const listeners: Listeners = { change: new Set(), error: new Set(), ready: new Set() };
  const emitter: Emitter = {
    on(event, listener) {
      listeners[event].add(listener);
      return () => emitter.off(event, listener);
    },
    off(event, listener) {
      listeners[event].delete(listener);
    },
    emit(event, ...args) {
      for (const listener of listeners[event]) {
        // A throwing listener must not stop the stream or the other listeners.
        try {
          listener(...args);
        } catch (error) {
          console.error(error);
        }
      }
    },
    clear() {
      for (const set of Object.values(listeners)) set.clear();
    },
  };
  return emitter;
}
