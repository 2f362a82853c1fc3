import {
  type EvaluationContext as OpenFeatureContext,
  GeneralError,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  ProviderFatalError,
  ErrorCode,
  type ResolutionDetails,
  type TrackingEventDetails,
} from "@openfeature/server-sdk";
import { Reasons } from "@switchyard/core";
import { createClient, type SwitchyardClient } from "../client";
import { describeError, SwitchyardError, SwitchyardErrorCodes } from "../errors";
import type { ClientOptions } from "../options";
import { toSwitchyardContext } from "./context-mapping";
import { toResolution } from "./resolution";

function isClient(value: SwitchyardClient | ClientOptions): value is SwitchyardClient {
  return "variationDetail" in value && typeof value.variationDetail === "function";
}

/**
 * An OpenFeature server provider backed by a Switchyard client. Give it a client (which stays
 * yours to close) or client options (the provider creates the client and closes it on
 * `onClose`). Events: ConfigurationChanged on `change`; Stale when the connection is lost and
 * Ready when it is back; Error for a rejected token (PROVIDER_FATAL when there is no data to
 * serve) or an unreadable payload.
 */
export class SwitchyardProvider implements Provider {
  readonly metadata = { name: "switchyard" } as const;
  readonly runsOn = "server";
  readonly events = new OpenFeatureEventEmitter();
  readonly client: SwitchyardClient;
  private readonly ownsClient: boolean;
  private initializationFailed = false;
  private readonly onChange = (keys: string[]) => this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys });
  private readonly onStale = (reason: string) => this.events.emit(ProviderEvents.Stale, { message: reason });
  private readonly onRecovered = () => this.events.emit(ProviderEvents.Ready, { message: "connection to Switchyard restored" });
  private readonly onReady = () => this.onLateReady();
  private readonly onClientError = (error: SwitchyardError) => this.onError(error);

  constructor(clientOrOptions: SwitchyardClient | ClientOptions) {
    this.ownsClient = !isClient(clientOrOptions);
    this.client = isClient(clientOrOptions) ? clientOrOptions : createClient(clientOrOptions);
    this.client.on("change", this.onChange);
    this.client.on("stale", this.onStale);
    this.client.on("recovered", this.onRecovered);
    this.client.on("ready", this.onReady);
    this.client.on("error", this.onClientError);
  }

  async initialize(): Promise<void> {
    try {
      await this.client.ready();
    } catch (error) {
      this.initializationFailed = true;
      if (this.isFatal(error)) throw new ProviderFatalError(describeError(error));
      throw new GeneralError(describeError(error));
    }
  }

  async onClose(): Promise<void> {
    this.client.off("change", this.onChange);
    this.client.off("stale", this.onStale);
    this.client.off("recovered", this.onRecovered);
    this.client.off("ready", this.onReady);
    this.client.off("error", this.onClientError);
    if (this.ownsClient) await this.client.close();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: OpenFeatureContext): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(toResolution(this.client.variationDetail(flagKey, toSwitchyardContext(context), defaultValue)));
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: OpenFeatureContext): Promise<ResolutionDetails<string>> {
    return Promise.resolve(toResolution(this.client.variationDetail(flagKey, toSwitchyardContext(context), defaultValue)));
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: OpenFeatureContext): Promise<ResolutionDetails<number>> {
    return Promise.resolve(toResolution(this.client.variationDetail(flagKey, toSwitchyardContext(context), defaultValue)));
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: OpenFeatureContext,
  ): Promise<ResolutionDetails<T>> {
    // Object evaluation expects an object or array; `{}` stands in for a default of another kind.
    const witness = typeof defaultValue === "object" && defaultValue !== null ? defaultValue : {};
    const detail = this.client.variationDetail(flagKey, toSwitchyardContext(context), witness);
    if (detail.reason === Reasons.ERROR) return Promise.resolve(toResolution({ ...detail, value: defaultValue }));
    // Parsed boundary: the value was checked to be an object or array, which is all T promises at run time.
    return Promise.resolve(toResolution({ ...detail, value: detail.value as T }));
  }

  track(trackingEventName: string, context: OpenFeatureContext, details: TrackingEventDetails): void {
    this.client.track(trackingEventName, toSwitchyardContext(context), details.value);
  }

  /** Data arrived after `initialize` gave up: the provider is usable after all. */
  private onLateReady(): void {
    if (!this.initializationFailed) return;
    this.initializationFailed = false;
    this.events.emit(ProviderEvents.Ready, { message: "Switchyard flag data arrived" });
  }

  private onError(error: SwitchyardError): void {
    // Network trouble is reported as Stale; a backup file problem is not the provider's state.
    if (error.code === SwitchyardErrorCodes.NETWORK || error.code === SwitchyardErrorCodes.BACKUP_FILE) return;
    this.events.emit(ProviderEvents.Error, {
      message: error.message,
      ...(this.isFatal(error) ? { errorCode: ErrorCode.PROVIDER_FATAL } : {}),
    });
  }

  /** A rejected token is fatal only when nothing can be served: last known flags beat defaults. */
  private isFatal(error: unknown): boolean {
    return (
      error instanceof SwitchyardError && error.code === SwitchyardErrorCodes.UNAUTHORIZED && this.client.configVersion() === undefined
    );
  }
}
