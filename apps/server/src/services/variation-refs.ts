import {
  type Condition,
  type FlagConfig,
  type Prerequisite,
  resolveVariationRef,
  type Rule,
  type Serve,
  type Variation,
  type VariationRef,
} from "@switchyard/core";
import type { ServeInput, ValidationIssue } from "@switchyard/core/schema";

/*
 * A config as users send it refers to variations by id, by name or (compatibility) by index;
 * stored configs refer by id, so they are valid input too (PATCH merges into them, restore
 * reads them). Resolving gives the indexed config the engine checks, with every reference
 * that names no variation as an issue.
 */

/** A config as users send it (and as stored, ids being references too). */
export interface ConfigInput {
  enabled: boolean;
  offVariation?: VariationRef | undefined;
  rules: Array<{
    id?: string | undefined;
    description?: string | undefined;
    conditions: Condition[];
    segments?: string[] | undefined;
    serve: ServeInput;
  }>;
  fallthrough: ServeInput;
  prerequisites: Array<{ flag: string; variation: VariationRef }>;
}

export interface ResolvedConfig {
  config: FlagConfig;
  issues: ValidationIssue[];
}

function describeRef(ref: string | number): string {
  return typeof ref === "number" ? `index ${ref}` : `"${ref}"`;
}

function refMessage(ref: string | number, variations: readonly Variation[], flagKey: string): string {
  const known = variations.map((v) => `${v.name} (${v.id})`).join(", ");
  return `variation ${describeRef(ref)} does not exist: flag "${flagKey}" has ${known || "no variations"}`;
}

class Resolver {
  readonly issues: ValidationIssue[] = [];

  constructor(
    private readonly flagKey: string,
    private readonly own: readonly Variation[],
    private readonly variationsOf: (flagKey: string) => readonly Variation[] | undefined,
  ) {}

  ref(ref: string | number, path: (string | number)[], variations = this.own, flagKey = this.flagKey): number {
    const index = resolveVariationRef(ref, variations);
    if (index !== undefined) return index;
    this.issues.push({ path, message: refMessage(ref, variations, flagKey) });
    return 0;
  }

  serve(serve: ServeInput, path: (string | number)[]): Serve {
    if ("variation" in serve) return { variation: this.ref(serve.variation, [...path, "variation"]) };
    const { variations, weights, ...rollout } = serve.rollout;
    // Without an explicit order, weights are positional against the flag's current order.
    if (variations === undefined && weights.length !== this.own.length) {
      this.issues.push({
        path: [...path, "rollout", "weights"],
        message: `expected ${this.own.length} weights (one per variation), got ${weights.length}; or list the variation of each weight in "variations"`,
      });
      return { rollout: { weights } };
    }
    const order = variations ?? weights.map((_, position) => position);
    return {
      rollout: {
        ...definedOnly(rollout),
        variations: order.map((ref, position) => this.ref(ref, [...path, "rollout", "variations", position])),
        weights,
      },
    };
  }

  prerequisite(prerequisite: { flag: string; variation: string | number }, index: number): Prerequisite {
    const variations = this.variationsOf(prerequisite.flag);
    // An unknown prerequisite flag is the validator's to report.
    if (variations === undefined) return { flag: prerequisite.flag, variation: 0 };
    const path = ["prerequisites", index, "variation"];
    return { flag: prerequisite.flag, variation: this.ref(prerequisite.variation, path, variations, prerequisite.flag) };
  }
}

function definedOnly<T extends object>(value: T): T {
  // Parsed boundary: dropping undefined fields keeps the object's type.
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The indexed config of an input whose rules all have ids. Rollouts always get an explicit
 * variation order, so the stored form keeps their bucket order whatever the flag's order.
 */
export function resolveConfig(
  input: Omit<ConfigInput, "rules"> & { rules: Array<ConfigInput["rules"][number] & { id: string }> },
  flagKey: string,
  own: readonly Variation[],
  variationsOf: (flagKey: string) => readonly Variation[] | undefined,
): ResolvedConfig {
  const resolver = new Resolver(flagKey, own, variationsOf);
  const defaultOff = Math.max(
    0,
    own.findIndex((v) => v.value === false),
  );
  const config: FlagConfig = {
    enabled: input.enabled,
    offVariation: input.offVariation === undefined ? defaultOff : resolver.ref(input.offVariation, ["offVariation"]),
    rules: input.rules.map(
      (rule, index): Rule => ({
        ...definedOnly({ ...rule, serve: undefined }),
        serve: resolver.serve(rule.serve, ["rules", index, "serve"]),
      }),
    ),
    fallthrough: resolver.serve(input.fallthrough, ["fallthrough"]),
    prerequisites: input.prerequisites.map((p, index) => resolver.prerequisite(p, index)),
  };
  return { config, issues: resolver.issues };
}
