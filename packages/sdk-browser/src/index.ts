export { createClient } from "./client";
export type {
  ClientError,
  ClientEvent,
  ClientEventArgs,
  ClientListener,
  ClientOptions,
  EvaluatedFlag,
  EvaluatedFlags,
  EvaluationDetails,
  FlagFallback,
  SwitchyardClient,
} from "./client-types";
export type {
  EventSourceConstructor,
  EventSourceLike,
  FetchLike,
  StorageLike,
  StreamMessage,
  VisibilitySource,
} from "./browser-types";
