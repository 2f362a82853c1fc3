import type { EnvironmentView } from "./environment-view";
import type { AuthToken } from "./live-state";

/**
 * The read side as the rest of the server sees it — the one interface the write path and the
 * routes depend on. The write path says a commit happened (`committed`); routes read what each
 * environment serves and who holds which token, from memory. `LiveState` implements it, fed by
 * the change log in the database; the streams (`hub.ts`) follow it through `onApplied`.
 */
export interface ReadSide {
  /** What an environment serves now: compiled engine, definitions, the SDK payload and its ETag. */
  environment(key: string): EnvironmentView | undefined;
  /** API tokens by SHA-256 hash of the secret: authentication never reaches the database. */
  tokenByHash(hash: string): AuthToken | undefined;
  /** Every API token by hash, as authentication sees them (a relay mirrors its environments' tokens). */
  tokensByHash(): ReadonlyMap<string, AuthToken>;
  /** The last change applied: the version every view reflects. */
  readonly appliedSeq: number;
  /** The database history `appliedSeq` counts in (store/database-epoch.ts). */
  readonly epoch: string;
  /** After a local commit: apply it here and tell the other replicas. Never throws for a committed write. */
  committed(): Promise<void>;
  /** Applies every change after `appliedSeq` now, instead of at the next catch-up tick. */
  refresh(): Promise<void>;
}
