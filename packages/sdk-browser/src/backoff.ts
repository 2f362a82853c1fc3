const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 30 s, each scaled by 50–100 %. */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt) * (0.5 + random() / 2);
}
