import type { EvaluationContext as SwitchyardContext } from "@switchyard/core";
import type { EvaluationContext } from "@openfeature/web-sdk";

/**
 * OpenFeature's `targetingKey` is Switchyard's `key`, with the rule of `normalizeContext` in
 * `@switchyard/core` (not imported: this package has no runtime dependency on core): an explicit
 * `key` wins, and the context is otherwise passed as is.
 */
export function toSwitchyardContext(context: EvaluationContext | undefined): SwitchyardContext {
  const attributes: SwitchyardContext = { ...context };
  const targetingKey = attributes["targetingKey"];
  if (attributes.key === undefined && typeof targetingKey === "string") attributes.key = targetingKey;
  return attributes;
}
