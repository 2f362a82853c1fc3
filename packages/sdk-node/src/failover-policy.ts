import { type FetchFailure, FailureKinds } from "./fetcher";

/*
 * What a failure means, as data. Fatal statuses stop the SDK: a wrong token does not get
 * better by retrying, and hammering the server with it helps no one. A server without a stream
 * (an older version, a proxy that blocks SSE) is polled at once. Anything else is retried with
 * backoff, and polling takes over after a few consecutive stream failures while the stream
 * keeps being retried in the background.
 */
export const FailoverPolicy = {
  fatalStatuses: [401, 403],
  pollAtOnceStatuses: [404, 405, 501],
  streamFailuresBeforePolling: 3,
} as const;

export const FailureActions = {
  STOP: "stop",
  POLL: "poll",
  RETRY: "retry",
} as const;
export type FailureAction = (typeof FailureActions)[keyof typeof FailureActions];

function statusIn(statuses: readonly number[], failure: FetchFailure): boolean {
  return failure.kind === FailureKinds.STATUS && failure.status !== undefined && statuses.includes(failure.status);
}

export function isFatal(failure: FetchFailure): boolean {
  return statusIn(FailoverPolicy.fatalStatuses, failure);
}

export function streamFailureAction(failure: FetchFailure): FailureAction {
  if (isFatal(failure)) return FailureActions.STOP;
  if (statusIn(FailoverPolicy.pollAtOnceStatuses, failure)) return FailureActions.POLL;
  if (failure.consecutiveFailures >= FailoverPolicy.streamFailuresBeforePolling) return FailureActions.POLL;
  return FailureActions.RETRY;
}
