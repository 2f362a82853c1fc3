import type { WorkloadUser } from "../workload";

/** One library under test, set up for the shared workload. */
export interface Peer {
  name: string;
  /**
   * Evaluates flag A `iterations` times, over the users in turn, starting where the previous
   * call (of either flag) stopped, so every user comes round whatever the iteration count;
   * returns how many were on.
   */
  flagA(iterations: number): number;
  /** Evaluates flag B likewise. */
  flagB(iterations: number): number;
  close(): void;
}

export type PeerFactory = (users: readonly WorkloadUser[]) => Promise<Peer>;

/**
 * One SDK under test for the SDK-level suite: like `Peer`, but an SDK whose evaluation returns
 * a Promise awaits every call in its loop (so `flagA`/`flagB` may return a Promise).
 */
export interface SdkPeer {
  name: string;
  flagA(iterations: number): number | Promise<number>;
  flagB(iterations: number): number | Promise<number>;
  /** Stops the SDK; resolves when it has let go of timers, sockets and files. */
  close(): Promise<void>;
  /** How it was set up and anything seen while it ran; printed under the table after `close`. */
  notes(): string[];
}

export type SdkPeerFactory = (users: readonly WorkloadUser[]) => Promise<SdkPeer>;
