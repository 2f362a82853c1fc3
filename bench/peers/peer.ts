import type { WorkloadUser } from "../workload";

/** One library under test, set up for the shared workload. */
export interface Peer {
  name: string;
  /** Evaluates flag A `iterations` times, over the users in turn; returns how many were on. */
  flagA(iterations: number): number;
  /** Evaluates flag B likewise. */
  flagB(iterations: number): number;
  close(): void;
}

export type PeerFactory = (users: readonly WorkloadUser[]) => Promise<Peer>;
