import { randomBytes } from "node:crypto";
import { defaultVariationNames, type StoredFlagConfig, type Variation, type VariationValue, variationUses } from "@switchyard/core";
import type { VariationInput, VariationListInput } from "@switchyard/core/schema";
import type { Issue } from "../errors";

/*
 * A flag's variations as users edit them. Ids never change: a config stores the id of what it
 * serves, so renaming a variation, changing its value or reordering the list changes no
 * environment's choice (only what that choice is called or holds, for everyone who serves it).
 */

export function newVariationId(taken: ReadonlySet<string>): string {
  let id = randomBytes(4).toString("hex");
  while (taken.has(id)) id = randomBytes(4).toString("hex");
  return id;
}

function canonical(value: VariationValue): string {
  // Key order must not matter: {"a":1,"b":2} is the same value as {"b":2,"a":1}.
  const sort = (item: unknown): unknown =>
    Array.isArray(item)
      ? item.map(sort)
      : typeof item === "object" && item !== null
        ? Object.fromEntries(
            Object.entries(item)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, v]) => [k, sort(v)]),
          )
        : item;
  return JSON.stringify(sort(value));
}

function withDescription(variation: Variation, description: string | undefined): Variation {
  if (description === undefined || description === "") {
    const { description: _dropped, ...rest } = variation;
    return rest;
  }
  return { ...variation, description };
}

/** The variations of a new flag: values by position, or objects (ids kept when given). */
export function createVariations(input: VariationListInput): Variation[] {
  const items: VariationInput[] = input.form === "values" ? input.values.map((value) => ({ value })) : input.variations;
  return complete(items, new Map());
}

/** Items with ids settled (existing or new) and names filled in (default names avoid taken ones). */
function complete(items: Array<VariationInput & { keep?: Variation | undefined }>, existing: ReadonlyMap<string, Variation>): Variation[] {
  const ids = new Set([...existing.keys(), ...items.flatMap((item) => (item.id === undefined ? [] : [item.id]))]);
  const givenNames = new Set(items.flatMap((item) => (item.name !== undefined ? [item.name] : item.keep ? [item.keep.name] : [])));
  const defaults = defaultVariationNames(
    items.map((item) => item.value),
    givenNames,
  );
  return items.map((item, index) => {
    const id = item.keep?.id ?? item.id ?? newVariationId(ids);
    ids.add(id);
    const name = item.name ?? item.keep?.name ?? defaults[index] ?? `v${index + 1}`;
    return withDescription({ id, name, value: item.value }, item.description ?? item.keep?.description);
  });
}

export type VariationEdit = { ok: true; variations: Variation[] } | { ok: false; issues: Issue[] };

/**
 * The variations a PATCH asks for. Objects: an item with an `id` edits that variation (name and
 * description kept unless given), one without is new. Plain values: a value the flag already has
 * keeps its variation (id, name, description), others are new. Either way the list's order is the
 * new order, and variations left out are removed (the caller checks that nothing uses them).
 */
export function editVariations(current: readonly Variation[], input: VariationListInput): VariationEdit {
  const byId = new Map(current.map((v) => [v.id, v] as const));
  if (input.form === "values") {
    const byValue = new Map(current.map((v) => [canonical(v.value), v] as const));
    return {
      ok: true,
      variations: complete(
        input.values.map((value) => ({ value, keep: byValue.get(canonical(value)) })),
        byId,
      ),
    };
  }
  const issues: Issue[] = [];
  input.variations.forEach((item, index) => {
    if (item.id !== undefined && !byId.has(item.id)) {
      issues.push({
        path: `variations[${index}].id`,
        message: `unknown variation id "${item.id}" (leave "id" out to add a variation; ids are ${[...byId.keys()].join(", ")})`,
      });
    }
  });
  if (issues.length > 0) return { ok: false, issues };
  const variations = complete(
    input.variations.map((item) => ({ ...item, keep: item.id === undefined ? undefined : byId.get(item.id) })),
    byId,
  );
  const names = new Map<string, number>();
  variations.forEach((variation, index) => {
    const first = names.get(variation.name);
    if (first !== undefined)
      issues.push({ path: `variations[${index}].name`, message: `"${variation.name}" is also variation ${first}'s name` });
    names.set(variation.name, index);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, variations };
}

/** Where removed variations are still used: "<environment>: <flag> <where>", for the 409. */
export function usesOfRemoved(
  flagKey: string,
  removed: readonly Variation[],
  configs: ReadonlyArray<{ flagKey: string; environmentKey: string; config: StoredFlagConfig }>,
): Array<{ variation: string; environment: string; flag: string; where: string }> {
  const uses: Array<{ variation: string; environment: string; flag: string; where: string }> = [];
  for (const variation of removed) {
    for (const c of configs) {
      if (c.flagKey === flagKey) {
        for (const where of variationUses(c.config, variation.id))
          uses.push({ variation: variation.name, environment: c.environmentKey, flag: c.flagKey, where });
      }
      (c.config.prerequisites ?? []).forEach((p, index) => {
        if (p.flag === flagKey && p.variation === variation.id)
          uses.push({ variation: variation.name, environment: c.environmentKey, flag: c.flagKey, where: `prerequisites[${index}]` });
      });
    }
  }
  return uses;
}

/** Variations whose name or value an edit changed, for the audit entry. */
export function changedVariations(before: readonly Variation[], after: readonly Variation[]) {
  const byId = new Map(before.map((v) => [v.id, v] as const));
  return after.flatMap((v) => {
    const old = byId.get(v.id);
    if (old === undefined || (old.name === v.name && canonical(old.value) === canonical(v.value))) return [];
    return [{ id: v.id, before: { name: old.name, value: old.value }, after: { name: v.name, value: v.value } }];
  });
}
