/**
 * Tells replicas "changes up to seq N are committed". It carries no data: a replica that hears
 * it reads the change log from PostgreSQL, so a lost message only delays a change until the next
 * message or catch-up tick — nothing is ever served from the bus.
 */
export interface ChangeBus {
  readonly kind: "in-process" | "redis";
  publish(seq: number): void;
  subscribe(listener: (seq: number) => void): () => void;
  close(): Promise<void>;
}
