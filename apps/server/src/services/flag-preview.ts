import {
  attributesUsed,
  changeImpact,
  type EvaluationContext,
  type FlagConfig,
  type StoredFlagConfig,
  type FlagDefinition,
  type FlagImpact,
  rolloutFlips,
  type ServeFlip,
  type WeightedContext,
} from "@switchyard/core";
import { fail, ok, type Result } from "../errors";
import type { Db } from "../store/database";
import { getEnvironment } from "../store/environments";
import { type ConfigChange, type PreparedConfig, prepareFlagConfig } from "./flag-configs";
import type { ReadSide } from "../live/read-side";
import { type SeenContextRecorder, sampledAttributes } from "./seen-context-recorder";

export interface PreviewDeps {
  db: Db;
  live: ReadSide;
  seenContexts: SeenContextRecorder;
}

/** A change to preview: a config change as PUT / PATCH / restore make it, or archiving the flag. */
export type PreviewedChange = ConfigChange | { kind: "archive" };

export interface FlagPreview extends Omit<FlagImpact, "flag"> {
  flag: string;
  environment: string;
  change: PreviewedChange["kind"];
  /** The version the preview compares against (the current one). */
  currentVersion: number;
  /** The validated config the change would write; null when the flag would be archived. */
  config: StoredFlagConfig | null;
  /** What the preview evaluated: seen contexts (off: sampling is off here) and the request's own. */
  contexts: { seen: number; requested: number; evaluations: number; sampling: boolean };
  /** Flags with this one as a prerequisite, evaluated before and after the same way. */
  dependents: FlagImpact[];
  /** For each serve with a rollout: the share of its contexts that flip, from the weights (holds for everyone). */
  rollouts: ServeFlip[];
  /**
   * Attributes the proposed config reads that the sample does not keep yet (no current rule
   * reads them): seen contexts lack them, so rules on them match none of the seen contexts.
   */
  unsampledAttributes: string[];
}

/**
 * Whom a change would flip, over the environment's seen contexts plus `extra` ones (weight 1
 * each): nothing is written. Validation is the write's own (`prepareFlagConfig`), so a change a
 * write would refuse is refused here with the same error.
 */
export async function previewFlagChange(
  deps: PreviewDeps,
  flagKey: string,
  environmentKey: string,
  change: PreviewedChange,
  extra: readonly EvaluationContext[] = [],
): Promise<Result<FlagPreview>> {
  const prepared = await prepareFlagConfig(
    deps.db,
    flagKey,
    environmentKey,
    change.kind === "archive" ? { kind: "patch", patch: {} } : change,
  );
  if (!prepared.ok) return prepared;
  return ok(await previewPrepared(deps, environmentKey, prepared.value, change.kind, extra));
}

/** The preview of a change already validated (a write, or its dry run, has prepared it). */
export async function previewPrepared(
  deps: PreviewDeps,
  environmentKey: string,
  prepared: PreparedConfig,
  kind: PreviewedChange["kind"],
  extra: readonly EvaluationContext[] = [],
): Promise<FlagPreview> {
  const { flag, current, currentConfig } = prepared;
  const view = deps.live.environment(environmentKey);
  const engine = view?.engine;
  if (view === undefined || engine === undefined) throw new Error(`environment '${environmentKey}' has no live view`);
  const definition = (config: FlagConfig): FlagDefinition => ({
    key: flag.key,
    variations: flag.variations.map((v) => v.value),
    variationNames: flag.variations.map((v) => v.name),
    version: current.version,
    ...config,
  });
  const before = engine.update({ flags: [definition(currentConfig)] });
  const proposedConfig = kind === "archive" ? null : prepared.config;
  const after =
    proposedConfig === null ? engine.update({ deletedFlags: [flag.key] }) : engine.update({ flags: [definition(proposedConfig)] });

  const environment = await getEnvironment(deps.db, environmentKey);
  const sampling = environment?.seenContextsEnabled ?? false;
  const seenContexts = sampling ? await deps.seenContexts.read(environmentKey) : [];
  const seen = seenContexts.length;
  const contexts: WeightedContext[] = [...seenContexts, ...extra.map((context) => ({ context, weight: 1 }))];

  const impact = changeImpact({ flag: flag.key, before, after, contexts });
  const kept = new Set(sampledAttributes(view));
  const read = proposedConfig === null ? [] : attributesUsed({ flags: [definition(proposedConfig)], segments: view.segments });
  return {
    ...impact.flag,
    environment: environmentKey,
    change: kind,
    currentVersion: current.version,
    config: kind === "archive" ? null : prepared.stored,
    contexts: { seen, requested: extra.length, evaluations: impact.evaluations, sampling },
    dependents: impact.dependents,
    rollouts: proposedConfig === null ? [] : rolloutFlips(flag.key, flag.variations.length, currentConfig, proposedConfig),
    unsampledAttributes: read.filter((attribute) => !kept.has(attribute)),
  };
}

/**
 * The guard on big flips: when the environment sets `confirmFlipShare` and the change would
 * flip more than that share of seen evaluations, the write needs `"confirm": true`.
 */
export async function guardFlips(
  deps: PreviewDeps,
  flagKey: string,
  environmentKey: string,
  change: ConfigChange,
  confirmed: boolean,
): Promise<Result<void>> {
  if (confirmed) return ok(undefined);
  const threshold = (await getEnvironment(deps.db, environmentKey))?.confirmFlipShare ?? null;
  if (threshold === null) return ok(undefined);
  // A change the write would refuse is refused by the write itself, with its own error.
  const prepared = await prepareFlagConfig(deps.db, flagKey, environmentKey, change);
  if (!prepared.ok) return ok(undefined);
  const preview = await previewPrepared(deps, environmentKey, prepared.value, change.kind);
  if (preview.flips.share <= threshold) return ok(undefined);
  const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
  return fail(
    "PRECONDITION_REQUIRED",
    `This change flips ${percent(preview.flips.share)} of the evaluations seen in '${environmentKey}' (${preview.flips.contexts} of ${preview.contexts.seen} contexts), more than its confirmFlipShare of ${percent(threshold)}; send it again with "confirm": true to make it`,
    preview,
  );
}
