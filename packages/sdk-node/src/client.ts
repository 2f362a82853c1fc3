import { randomUUID } from "node:crypto";
import { attributesUsed, type Engine, type EvaluationContext, type EvaluationResult, type Reason, Reasons } from "@switchyard/core";
import { ContextSample } from "./context-sample";
import { BackupWriter, readBackupFile } from "./backup-file";
import { type ClientEvents, TypedEmitter } from "./client-events";
import { toEvaluationContext } from "./context-key";
import { DataSource } from "./data-source";
import { authFailureMessage, endpoint, SdkPaths } from "./endpoints";
import { describeError, safeString, SwitchyardError, SwitchyardErrorCodes } from "./errors";
import { detailFor, errorDetail, type EvaluationDetail, isBoolean, SdkErrorCodes } from "./evaluation-detail";
import { DataSources, FlagStore } from "./flag-store";
import { MetricsReporter } from "./metrics-reporter";
import { type ClientOptions, type ResolvedOptions, resolveOptions } from "./options";
import { type DataUpdate, parseSnapshot } from "./payloads";
import { PollFetcher } from "./poll-fetcher";
import { Readiness } from "./readiness";
import { type ServedFlag, ServedFlags } from "./served-flags";
import { EVENT_NAME_PATTERN } from "./usage-metrics";
import { StreamFetcher } from "./stream-fetcher";

type Context = EvaluationContext | undefined;
type Listener<K extends keyof ClientEvents> = (...args: ClientEvents[K]) => void;

/** A Switchyard client: evaluates flags locally from data it keeps current. */
export interface SwitchyardClient {
  /** Identifies this process to the server (stream connections, metrics); random per client. */
  readonly instanceId: string;
  /** Resolves when data arrived from the server or the backup file; rejects after `readyTimeoutMs`. */
  ready(): Promise<void>;
  /** True only when the flag serves the boolean `true`. */
  isEnabled(key: string, context?: Context): boolean;
  variation(key: string, context: Context, fallback: boolean): boolean;
  variation(key: string, context: Context, fallback: string): string;
  variation(key: string, context: Context, fallback: number): number;
  variation<T extends object>(key: string, context: Context, fallback: T): T;
  variationDetail(key: string, context: Context, fallback: boolean): EvaluationDetail<boolean>;
  variationDetail(key: string, context: Context, fallback: string): EvaluationDetail<string>;
  variationDetail(key: string, context: Context, fallback: number): EvaluationDetail<number>;
  variationDetail<T extends object>(key: string, context: Context, fallback: T): EvaluationDetail<T>;
  /**
   * Counts a custom event (`error`, `request`, …), attributed to the variations the context
   * received. `value` is accepted for OpenFeature's tracking API; the protocol does not carry it yet.
   */
  track(event: string, context?: Context, value?: number): void;
  on<K extends keyof ClientEvents>(event: K, listener: Listener<K>): void;
  off<K extends keyof ClientEvents>(event: K, listener: Listener<K>): void;
  /** Sends the last metrics and stops everything; evaluations keep serving the last data. */
  close(): Promise<void>;
  /** Milliseconds since the data served was last known current; `undefined` without data. */
  dataAgeMs(): number | undefined;
  /** The config version served; `undefined` without data. */
  configVersion(): number | undefined;
}

class Client implements SwitchyardClient {
  readonly instanceId = randomUUID();
  private readonly options: ResolvedOptions;
  private readonly store = new FlagStore();
  private readonly emitter: TypedEmitter<ClientEvents>;
  private readonly readiness: Readiness;
  private readonly metrics: MetricsReporter;
  /** Contexts evaluated this period (undefined when neither counts nor contexts are sent). */
  private readonly sample: ContextSample | undefined;
  private readonly sampledAttributes = (): readonly string[] => {
    const engine = this.store.engine;
    if (this.attributesOf?.engine !== engine) this.attributesOf = { engine, attributes: attributesUsed(this.store.snapshot()) };
    return this.attributesOf.attributes;
  };
  private attributesOf: { engine: Engine; attributes: string[] } | undefined;
  /** Each flag's evaluator beside its usage record; replaced by one that does not count on close. */
  private served: ServedFlags;
  private readonly dataSource: DataSource;
  private readonly backup: BackupWriter | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;
  private stoppedBy: SwitchyardError | undefined;

  constructor(clientOptions: ClientOptions) {
    const options = resolveOptions(clientOptions);
    this.options = options;
    this.emitter = new TypedEmitter((event, error) =>
      options.logger.error(`Switchyard: a "${String(event)}" listener threw: ${describeError(error)}`),
    );
    this.readiness = new Readiness(options.readyTimeoutMs, (error) => options.logger.warn(error.message));
    this.sample = options.sendMetrics && options.sendContexts ? new ContextSample(options.privateAttributes) : undefined;
    this.metrics = new MetricsReporter({
      url: endpoint(options.baseUrl, SdkPaths.METRICS),
      token: options.token,
      instanceId: this.instanceId,
      fetch: options.fetch,
      logger: options.logger,
      intervalMs: options.metricsIntervalMs,
      sendUsage: options.sendMetrics,
      sample: this.sample,
      version: () => this.store.version,
      epoch: () => this.store.epoch,
      onAuthFailure: (status, detail) =>
        this.fatal(new SwitchyardError(SwitchyardErrorCodes.UNAUTHORIZED, authFailureMessage(status, detail), status)),
    });
    this.served = new ServedFlags(options.sendMetrics ? this.metrics.usage : undefined);
    this.dataSource = this.createDataSource(options);
    this.backup =
      options.backupFile === undefined
        ? undefined
        : new BackupWriter(options.backupFile, (message) =>
            this.problem(new SwitchyardError(SwitchyardErrorCodes.BACKUP_FILE, `Switchyard: ${message}`)),
          );
    this.loadLocalData();
    this.metrics.start();
    this.dataSource.start();
  }

  ready(): Promise<void> {
    return this.readiness.wait();
  }

  isEnabled(key: string, context?: Context): boolean {
    // `variation(key, context, false)` without the detail: the hottest call gets the shortest path.
    try {
      // No flag (or no data yet) is the fallback, false, and is not counted.
      const served = this.served.get(this.store.engine, key);
      if (served === undefined) return false;
      const evaluationContext = toEvaluationContext(context);
      const result = served.evaluator.evaluate(evaluationContext);
      if (!isBoolean(result)) return false;
      count(served, result);
      this.sample?.offer(evaluationContext, this.sampledAttributes);
      return result.value === true;
    } catch (error) {
      this.failed(key, error, false);
      return false;
    }
  }

  variation(key: string, context: Context, fallback: boolean): boolean;
  variation(key: string, context: Context, fallback: string): string;
  variation(key: string, context: Context, fallback: number): number;
  variation<T extends object>(key: string, context: Context, fallback: T): T;
  variation(key: string, context: Context, fallback: unknown): unknown {
    return this.evaluate(key, context, fallback).value;
  }

  variationDetail(key: string, context: Context, fallback: boolean): EvaluationDetail<boolean>;
  variationDetail(key: string, context: Context, fallback: string): EvaluationDetail<string>;
  variationDetail(key: string, context: Context, fallback: number): EvaluationDetail<number>;
  variationDetail<T extends object>(key: string, context: Context, fallback: T): EvaluationDetail<T>;
  variationDetail(key: string, context: Context, fallback: unknown): EvaluationDetail<unknown> {
    return this.evaluate(key, context, fallback);
  }

  track(event: string, context?: Context, _value?: number): void {
    try {
      if (this.closed || !this.options.sendMetrics) return;
      if (typeof event !== "string" || !EVENT_NAME_PATTERN.test(event)) {
        this.warn(`Switchyard: track() ignored ${JSON.stringify(safeString(event))}: event names are 1–100 of A–Z a–z 0–9 . _ : -`);
        return;
      }
      this.metrics.usage.recordEvent(event, this.receivedBy(toEvaluationContext(context)));
    } catch (error) {
      this.warn(`Switchyard: track("${safeString(event)}") failed: ${describeError(error)}`);
    }
  }

  on<K extends keyof ClientEvents>(event: K, listener: Listener<K>): void {
    this.emitter.on(event, listener);
  }

  off<K extends keyof ClientEvents>(event: K, listener: Listener<K>): void {
    this.emitter.off(event, listener);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  dataAgeMs(): number | undefined {
    return this.store.ageMs(Date.now());
  }

  configVersion(): number | undefined {
    return this.store.version;
  }

  /** The variations a context gets from the flags events are attributed to (evaluation is deterministic). */
  private receivedBy(context: EvaluationContext): Array<readonly [string, number]> {
    const received: Array<readonly [string, number]> = [];
    if (this.store.source === DataSources.NONE) return received;
    for (const flag of this.metrics.usage.attributableFlags) {
      const result = this.store.engine.evaluate(flag, context);
      if (result.variation !== null && result.reason !== "STATIC" && result.reason !== "DISABLED") received.push([flag, result.variation]);
    }
    return received;
  }

  /** Never throws and never waits: the engine is local, and any surprise becomes the fallback. */
  private evaluate(key: string, context: unknown, fallback: unknown): EvaluationDetail<unknown> {
    try {
      const store = this.store;
      if (store.source === DataSources.NONE) {
        const reason = "no flag data yet (no bootstrap, no backup, server not reached)";
        return errorDetail(fallback, SdkErrorCodes.PROVIDER_NOT_READY, reason);
      }
      const evaluationContext = toEvaluationContext(context);
      const served = this.served.get(store.engine, key);
      // A key the engine lacks: its FLAG_NOT_FOUND result, never counted.
      if (served === undefined) return detailFor(key, store.engine.evaluate(key, evaluationContext), fallback);
      const result = served.evaluator.evaluate(evaluationContext);
      const detail = detailFor(key, result, fallback);
      // Only a served variation counts: not an error, not the fallback of a type mismatch.
      if (detail === result) {
        count(served, result);
        this.sample?.offer(evaluationContext, this.sampledAttributes);
      }
      return detail;
    } catch (error) {
      return this.failed(key, error, fallback);
    }
  }

  private failed(key: string, error: unknown, fallback: unknown): EvaluationDetail<unknown> {
    this.warn(`Switchyard: evaluating "${safeString(key)}" failed, serving the fallback: ${describeError(error)}`);
    return errorDetail(fallback, SdkErrorCodes.GENERAL, describeError(error));
  }

  private createDataSource(options: ResolvedOptions): DataSource {
    return new DataSource({
      streaming: options.stream,
      pollIntervalMs: options.pollIntervalMs,
      createStream: (sink) =>
        new StreamFetcher({
          url: endpoint(options.baseUrl, SdkPaths.STREAM),
          token: options.token,
          instanceId: this.instanceId,
          fetch: options.fetch,
          heartbeatTimeoutMs: options.heartbeatTimeoutMs,
          initialRetryDelayMs: options.initialRetryDelayMs,
          maxRetryDelayMs: options.maxRetryDelayMs,
          sink,
        }),
      createPoll: (sink) =>
        new PollFetcher({
          url: endpoint(options.baseUrl, SdkPaths.FLAGS),
          token: options.token,
          fetch: options.fetch,
          pollIntervalMs: options.pollIntervalMs,
          sink,
        }),
      listener: {
        update: (update) => this.applyServerUpdate(update),
        confirmed: () => this.store.confirm(Date.now()),
        stale: (reason) => this.emitter.emit("stale", reason),
        recovered: () => this.emitter.emit("recovered"),
        fatal: (error) => this.fatal(error),
        problem: (error) => this.problem(error),
        metricsHint: (hint) => this.metrics.streamHint(hint),
      },
    });
  }

  /** Bootstrap, then the backup file when it is newer; a valid backup file makes the client ready. */
  private loadLocalData(): void {
    const { bootstrap, backupFile } = this.options;
    if (bootstrap !== undefined) {
      const parsed = parseSnapshot(bootstrap);
      if (parsed.ok) this.store.apply({ kind: "put", snapshot: parsed.value }, DataSources.BOOTSTRAP, Date.now());
      else this.warn(`Switchyard: ignoring the bootstrap option: ${parsed.problem}`);
    }
    if (backupFile === undefined) return;
    const backup = readBackupFile(backupFile);
    if (backup.kind === "invalid") this.warn(`Switchyard: ignoring the backup file ${backupFile}: ${backup.problem}`);
    if (backup.kind !== "found") return;
    this.store.apply({ kind: "put", snapshot: backup.snapshot }, DataSources.BACKUP, backup.savedAt);
    // After the caller had a chance to subscribe to `ready`.
    if (this.readiness.markReady()) queueMicrotask(() => this.emitter.emit("ready"));
  }

  private applyServerUpdate(update: DataUpdate): void {
    if (this.closed) return;
    const result = this.store.apply(update, DataSources.SERVER, Date.now());
    if (!result.applied) return;
    if (result.historyChanged !== undefined) {
      const { from, to, previousVersion } = result.historyChanged;
      this.options.logger.warn(
        `the server's database is another history than before (epoch ${from} → ${to}: restored or replaced); serving its data at version ${this.store.version ?? 0}, although version ${previousVersion ?? 0} was served before`,
      );
    }
    this.backup?.write(this.store.snapshot());
    this.metrics.acknowledgeSoon();
    if (result.previousSource !== DataSources.NONE && result.changedKeys.length > 0) {
      this.emitter.emit("change", result.changedKeys);
    }
    if (this.readiness.markReady()) this.emitter.emit("ready");
  }

  private fatal(error: SwitchyardError): void {
    if (this.stoppedBy !== undefined || this.closed) return;
    this.stoppedBy = error;
    this.dataSource.stop();
    this.metrics.stop();
    this.readiness.fail(error);
    this.options.logger.error(error.message);
    this.emitter.emit("error", error);
  }

  /** A problem the SDK survives: to the `error` listeners, else to the logger. */
  private problem(error: SwitchyardError): void {
    if (!this.emitter.emit("error", error)) this.warn(error.message);
  }

  private warn(message: string): void {
    this.options.logger.warn(message);
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.served = new ServedFlags(undefined);
    this.dataSource.stop();
    const message = "the Switchyard client was closed before any flag data arrived";
    this.readiness.fail(new SwitchyardError(SwitchyardErrorCodes.CLOSED, message));
    await this.metrics.close();
    await this.backup?.flush();
    this.emitter.removeAll();
  }
}

/** Counts a served result (`usage` is undefined while evaluations are not counted). */
function count(served: ServedFlag, result: EvaluationResult): void {
  const usage = served.usage;
  if (usage === undefined || result.variation === null) return;
  // STATIC and DISABLED serve one value to everyone: there are no cohorts to attribute events to.
  usage.record(result.variation, isAttributable(result.reason));
}

function isAttributable(reason: Reason): boolean {
  return reason !== Reasons.STATIC && reason !== Reasons.DISABLED;
}

/** Creates a client and starts fetching at once; throws a TypeError listing every invalid option. */
export function createClient(options: ClientOptions): SwitchyardClient {
  return new Client(options);
}
