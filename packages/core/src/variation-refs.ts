import type {
  FlagConfig,
  Prerequisite,
  Rule,
  Serve,
  StoredFlagConfig,
  StoredPrerequisite,
  StoredRule,
  StoredServe,
  Variation,
  VariationValue,
} from "./types";

/*
 * Between the two forms of a flag config: stored (variations by id, what the server keeps and
 * the admin API shows) and indexed (what the engine and the SDKs take). The server stores ids
 * so that renaming, editing or reordering a flag's variations never changes what a config
 * serves; it turns them into indexes against the flag's current order when it builds a snapshot.
 */

/** A variation reference as users send it: an id or name (string), or an index (number, compatibility). */
export type VariationRef = string | number;

/** A variation's ids, in the flag's current order, by flag key. */
export type VariationIdsOf = (flagKey: string) => readonly string[] | undefined;

/** The names a flag's variations get when none are given: on/off, a value fit to be a name, or vN. */
export const VARIATION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function defaultVariationName(value: VariationValue, index: number): string {
  if (value === true) return "on";
  if (value === false) return "off";
  if (typeof value === "string" && VARIATION_NAME_PATTERN.test(value)) return value;
  return `v${index + 1}`;
}

/** Default names for a list of values; a name taken by an earlier variation gets `-<n>` appended. */
export function defaultVariationNames(values: readonly VariationValue[], taken: ReadonlySet<string> = new Set()): string[] {
  const used = new Set(taken);
  return values.map((value, index) => {
    const candidate = defaultVariationName(value, index);
    const name = used.has(candidate) ? `${candidate}-${index + 1}` : candidate;
    used.add(name);
    return name;
  });
}

/** The index a reference names: an id first, then a name; a number is an index as is. */
export function resolveVariationRef(ref: VariationRef, variations: readonly Variation[]): number | undefined {
  if (typeof ref === "number") return Number.isInteger(ref) && ref >= 0 && ref < variations.length ? ref : undefined;
  const byId = variations.findIndex((variation) => variation.id === ref);
  if (byId !== -1) return byId;
  const byName = variations.findIndex((variation) => variation.name === ref);
  return byName === -1 ? undefined : byName;
}

function indexOfId(ids: readonly string[] | undefined, id: string): number {
  return ids === undefined ? -1 : ids.indexOf(id);
}

function indexedServe(serve: StoredServe, ids: readonly string[]): Serve {
  if ("variation" in serve) return { variation: indexOfId(ids, serve.variation) };
  const { variations, ...rollout } = serve.rollout;
  return { rollout: { ...rollout, variations: variations.map((id) => indexOfId(ids, id)) } };
}

/**
 * The indexed config of a stored one, against the flags' current variation order. An id that
 * no longer exists becomes -1, which the engine answers with an ERROR result (writes refuse it).
 */
export function indexedConfig(stored: StoredFlagConfig, ownIds: readonly string[], idsOf: VariationIdsOf): FlagConfig {
  const rules = stored.rules.map((rule): Rule => ({ ...rule, serve: indexedServe(rule.serve, ownIds) }));
  const config: FlagConfig = {
    enabled: stored.enabled,
    offVariation: indexOfId(ownIds, stored.offVariation),
    rules,
    fallthrough: indexedServe(stored.fallthrough, ownIds),
  };
  if (stored.prerequisites !== undefined) {
    config.prerequisites = stored.prerequisites.map(
      (p): Prerequisite => ({ flag: p.flag, variation: indexOfId(idsOf(p.flag), p.variation) }),
    );
  }
  return config;
}

function idAt(ids: readonly string[] | undefined, index: number): string {
  return ids?.[index] ?? `#${index}`;
}

function storedServe(serve: Serve, ids: readonly string[]): StoredServe {
  if ("variation" in serve) return { variation: idAt(ids, serve.variation) };
  const { variations, weights, ...rollout } = serve.rollout;
  return { rollout: { ...rollout, variations: weights.map((_, position) => idAt(ids, variations?.[position] ?? position)), weights } };
}

/** The stored config of a validated indexed one (every index in range). */
export function storedConfig(config: FlagConfig, ownIds: readonly string[], idsOf: VariationIdsOf): StoredFlagConfig {
  const rules = config.rules.map((rule): StoredRule => ({ ...rule, serve: storedServe(rule.serve, ownIds) }));
  return {
    enabled: config.enabled,
    offVariation: idAt(ownIds, config.offVariation),
    rules,
    fallthrough: storedServe(config.fallthrough, ownIds),
    prerequisites: (config.prerequisites ?? []).map(
      (p): StoredPrerequisite => ({ flag: p.flag, variation: idAt(idsOf(p.flag), p.variation) }),
    ),
  };
}

function serveUses(serve: StoredServe, id: string): boolean {
  return "variation" in serve ? serve.variation === id : serve.rollout.variations.includes(id);
}

/** Where a stored config uses one of its own flag's variations: "offVariation", "fallthrough", "rule r1". */
export function variationUses(config: StoredFlagConfig, id: string): string[] {
  const uses: string[] = [];
  if (config.offVariation === id) uses.push("offVariation");
  for (const rule of config.rules) if (serveUses(rule.serve, id)) uses.push(`rule ${rule.id}`);
  if (serveUses(config.fallthrough, id)) uses.push("fallthrough");
  return uses;
}
