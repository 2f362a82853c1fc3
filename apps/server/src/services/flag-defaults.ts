import type { StoredFlagConfig, Variation, VariationValue } from "@switchyard/core";

export const FlagKinds = {
  release: "release",
  experiment: "experiment",
  operational: "operational",
  killSwitch: "kill-switch",
  permission: "permission",
} as const;
export type FlagKind = (typeof FlagKinds)[keyof typeof FlagKinds];
export const flagKindList = Object.values(FlagKinds);

/** Expected lifetime by kind, in days; null means permanent. A flag may override it. */
export const expectedLifetimeDaysByKind: Record<FlagKind, number | null> = {
  release: 40,
  experiment: 40,
  operational: 7,
  "kill-switch": null,
  permission: null,
};

export const defaultVariations: VariationValue[] = [true, false];

/**
 * A new flag is off everywhere. Boolean flags serve `false` when off and `true` when turned on
 * with no rules; other flags serve their first variation both ways until configured.
 */
export function defaultConfig(variations: readonly Variation[]): StoredFlagConfig {
  const first = variations[0]?.id ?? "";
  const on = variations.find((v) => v.value === true)?.id ?? first;
  const off = variations.find((v) => v.value === false)?.id ?? first;
  return { enabled: false, offVariation: off, rules: [], fallthrough: { variation: on }, prerequisites: [] };
}
