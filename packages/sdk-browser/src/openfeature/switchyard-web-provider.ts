import type { ErrorCode as SwitchyardErrorCode } from "@switchyard/core";
import {
  ErrorCode,
  type EvaluationContext,
  GeneralError,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  ProviderFatalError,
  type ResolutionDetails,
  type TrackingEventDetails,
} from "@openfeature/web-sdk";
import { createClient } from "../client";
import type { ClientError, ClientOptions, EvaluationDetails, SwitchyardClient } from "../client-types";
import { toSwitchyardContext } from "./context-mapping";

export type SwitchyardProviderOptions = Omit<ClientOptions, "context">;

// Switchyard's codes are OpenFeature's, spelled the same; the map only crosses from a string union to the enum.
const errorCodes: Record<SwitchyardErrorCode, ErrorCode> = {
  FLAG_NOT_FOUND: ErrorCode.FLAG_NOT_FOUND,
  TYPE_MISMATCH: ErrorCode.TYPE_MISMATCH,
  PARSE_ERROR: ErrorCode.PARSE_ERROR,
  TARGETING_KEY_MISSING: ErrorCode.TARGETING_KEY_MISSING,
  GENERAL: ErrorCode.GENERAL,
};

function resolution<T>(details: EvaluationDetails<T>): ResolutionDetails<T> {
  const resolved: ResolutionDetails<T> = { value: details.value, reason: details.reason };
  if (details.variation !== null) resolved.variant = details.variant ?? String(details.variation);
  if (details.errorCode !== undefined) resolved.errorCode = errorCodes[details.errorCode];
  if (details.flagMetadata !== undefined) resolved.flagMetadata = { ...details.flagMetadata };
  return resolved;
}

function notReady<T>(value: T): ResolutionDetails<T> {
  return { value, reason: "ERROR", errorCode: ErrorCode.PROVIDER_NOT_READY };
}

function isTracker(client: object): client is { track(event: string, details?: TrackingEventDetails): void } {
  return "track" in client && typeof client.track === "function";
}

/**
 * The OpenFeature web provider: `OpenFeature.setProvider(new SwitchyardWebProvider({ url, token }))`.
 * Resolution is synchronous from the values the Switchyard client holds for the global context;
 * the client is created in `initialize` with that context and follows `onContextChange`.
 */
export class SwitchyardWebProvider implements Provider {
  readonly metadata = { name: "switchyard-web" } as const;
  readonly runsOn = "client";
  readonly events = new OpenFeatureEventEmitter();
  private client: SwitchyardClient | undefined;
  // The SDK announces the outcome of initialize and of a context change itself (Ready, Error,
  // ContextChanged); the client's events are forwarded only outside them, so nothing is said twice.
  private quiet = true;

  constructor(private readonly options: SwitchyardProviderOptions) {}

  /** The underlying client (undefined before `initialize`). */
  get switchyardClient(): SwitchyardClient | undefined {
    return this.client;
  }

  async initialize(context?: EvaluationContext): Promise<void> {
    this.client?.close();
    const client = createClient({ ...this.options, context: toSwitchyardContext(context) });
    this.client = client;
    client.on("change", (keys) => {
      if (!this.quiet) this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys });
    });
    client.on("ready", () => {
      if (!this.quiet) this.events.emit(ProviderEvents.Ready);
    });
    client.on("error", (error) => {
      if (!this.quiet) this.emitError(error);
    });
    await this.settle(client.ready());
  }

  async onContextChange(_oldContext: EvaluationContext, newContext: EvaluationContext): Promise<void> {
    await this.settle(this.client?.setContext(toSwitchyardContext(newContext)));
  }

  async onClose(): Promise<void> {
    this.client?.close();
    this.client = undefined;
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return this.client ? resolution(this.client.variationDetail(flagKey, defaultValue)) : notReady(defaultValue);
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return this.client ? resolution(this.client.variationDetail(flagKey, defaultValue)) : notReady(defaultValue);
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return this.client ? resolution(this.client.variationDetail(flagKey, defaultValue)) : notReady(defaultValue);
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    return this.client ? resolution(this.client.variationDetail(flagKey, defaultValue)) : notReady(defaultValue);
  }

  /** Forwarded when the client records events (the browser client does not yet: no client-token endpoint). */
  track(trackingEventName: string, _context: EvaluationContext, details: TrackingEventDetails): void {
    if (this.client && isTracker(this.client)) this.client.track(trackingEventName, details);
  }

  private emitError(error: ClientError): void {
    this.events.emit(ProviderEvents.Error, {
      message: error.message,
      errorCode: error.fatal ? ErrorCode.PROVIDER_FATAL : ErrorCode.GENERAL,
    });
  }

  /** Awaits a client operation with forwarding paused; its failure becomes an OpenFeature error. */
  private async settle(operation: Promise<void> | undefined): Promise<void> {
    this.quiet = true;
    try {
      await operation;
    } catch (caught) {
      const message = caught instanceof Error ? caught.message : String(caught);
      throw isFatal(caught) ? new ProviderFatalError(message) : new GeneralError(message);
    } finally {
      this.quiet = false;
    }
  }
}

function isFatal(value: unknown): boolean {
  return typeof value === "object" && value !== null && "fatal" in value && value.fatal === true;
}
