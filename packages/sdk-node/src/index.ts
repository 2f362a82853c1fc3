export { createClient, type SwitchyardClient } from "./client";
export type { ClientEvents } from "./client-events";
export { SwitchyardError, SwitchyardErrorCodes, type SwitchyardErrorCode } from "./errors";
export { type EvaluationDetail, SdkErrorCodes, type SdkErrorCode } from "./evaluation-detail";
export { type ClientOptions, DEFAULT_OPTIONS, type FetchFunction, type Logger } from "./options";
export type { SdkSnapshot } from "./payloads";
export { SDK_NAME, SDK_VERSION } from "./sdk-info";
export type { EvaluationContext, Reason } from "@switchyard/core";
