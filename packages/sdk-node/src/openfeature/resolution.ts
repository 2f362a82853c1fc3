import { ErrorCode, type FlagMetadata, type ResolutionDetails } from "@openfeature/server-sdk";
import type { EvaluationDetail, SdkErrorCode } from "../evaluation-detail";

const ERROR_CODES: Record<SdkErrorCode, ErrorCode> = {
  FLAG_NOT_FOUND: ErrorCode.FLAG_NOT_FOUND,
  TYPE_MISMATCH: ErrorCode.TYPE_MISMATCH,
  PARSE_ERROR: ErrorCode.PARSE_ERROR,
  TARGETING_KEY_MISSING: ErrorCode.TARGETING_KEY_MISSING,
  GENERAL: ErrorCode.GENERAL,
  PROVIDER_NOT_READY: ErrorCode.PROVIDER_NOT_READY,
};

/**
 * The SDK's detail as OpenFeature's resolution: same value, reason and error; variant = the
 * variation's name; flagMetadata = the flag's metadata plus ruleId / prerequisiteKey.
 */
export function toResolution<T>(detail: EvaluationDetail<T>): ResolutionDetails<T> {
  const resolution: ResolutionDetails<T> = { value: detail.value, reason: detail.reason };
  if (detail.variation !== null) resolution.variant = detail.variant ?? String(detail.variation);
  if (detail.errorCode !== undefined) resolution.errorCode = ERROR_CODES[detail.errorCode];
  if (detail.errorMessage !== undefined) resolution.errorMessage = detail.errorMessage;
  const metadata: FlagMetadata = { ...detail.flagMetadata };
  if (detail.ruleId !== undefined) metadata.ruleId = detail.ruleId;
  if (detail.prerequisiteKey !== undefined) metadata.prerequisiteKey = detail.prerequisiteKey;
  if (Object.keys(metadata).length > 0) resolution.flagMetadata = metadata;
  return resolution;
}
