/** How often the load generator wakes up; the rate is kept over time, not per tick. */
export const TRAFFIC_TICK_MS = 100;

/**
 * How many requests are due at `elapsedMs` after the start, given how many were served. It
 * follows the clock rather than counting ticks, so late timers do not lower the rate; after a
 * long stall (a paused process, a busy event loop) it serves at most one second's worth at once
 * instead of a burst of everything missed.
 */
export function requestsDue(requestsPerSecond: number, elapsedMs: number, served: number): { due: number; served: number } {
  const target = Math.floor((requestsPerSecond * elapsedMs) / 1000);
  const burst = Math.max(1, Math.ceil(requestsPerSecond));
  const skipped = Math.max(0, target - served - burst);
  return { due: Math.max(0, target - served - skipped), served: served + skipped };
}

/** A random user out of a million, so the flag's percentage rollout splits them like real users. */
export function randomUser(random: () => number = Math.random): string {
  return `user-${1 + Math.floor(random() * 1_000_000)}`;
}

/** Calls `serve` with a random user `requestsPerSecond` times a second until stopped. */
export function startTraffic(requestsPerSecond: number, serve: (user: string) => void): () => void {
  const startedAt = performance.now();
  let served = 0;
  const timer = setInterval(() => {
    const step = requestsDue(requestsPerSecond, performance.now() - startedAt, served);
    served = step.served;
    for (let i = 0; i < step.due; i++) {
      served += 1;
      serve(randomUser());
    }
  }, TRAFFIC_TICK_MS);
  return () => clearInterval(timer);
}
