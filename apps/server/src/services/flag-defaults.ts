import type { FlagConfig, VariationValue } from "@switchyard/core";

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
export function defaultConfig(variations: VariationValue[]): FlagConfig {
  const on = variations.indexOf(true);
  const off = variations.indexOf(false);
  return {
    enabled: false,
    offVariation: off === -1 ? 0 : off,
    rules: [],
    fallthrough: { variation: on === -1 ? 0 : on },
    prerequisites: [],
  };
}
