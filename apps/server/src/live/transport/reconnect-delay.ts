/**
 * Every stream starts with an SSE `retry:` field: how long the client's EventSource waits before
 * reconnecting. Each stream gets its own delay in the range, so when a replica restarts its
 * clients come back spread over seconds instead of in one burst.
 */
export const RECONNECT_DELAY_MS = { min: 1_000, max: 5_000 } as const;

export function reconnectDelayMs(random: () => number = Math.random): number {
  return RECONNECT_DELAY_MS.min + Math.floor(random() * (RECONNECT_DELAY_MS.max - RECONNECT_DELAY_MS.min + 1));
}
