import type { EvaluationContext } from "@switchyard/core";
import type { Change } from "../../store/changes";
import { evaluatedFragment, evaluatedFragments } from "../../services/client-evaluation";
import type { EnvironmentView } from "../live-state";
import { concerns, eventId, type StreamEvent } from "./sdk-events";

/** What a client stream last sent: flag key → the JSON fragment of its value (each stream owns its map). */
export type ClientValues = Map<string, string>;

function flagsObject(entries: Iterable<[string, string]>): string {
  let body = "{";
  let first = true;
  for (const [key, fragment] of entries) {
    body += `${first ? "" : ","}${JSON.stringify(key)}:${fragment}`;
    first = false;
  }
  return `${body}}`;
}

export function clientValuesPut(view: EnvironmentView, context: EvaluationContext): { event: StreamEvent; values: ClientValues } {
  const values = evaluatedFragments(view.engine, context);
  return { event: { event: "put", id: eventId(view.epoch, view.version), data: `{"flags":${flagsObject(values)}}` }, values };
}

/**
 * The flags whose value for some context may differ after `changes`: the changed flags, the flags
 * whose rules use a changed segment, and the flags that have any of those as a prerequisite (to
 * any depth). Every other flag evaluates as before, so a client stream need not evaluate it again.
 */
export function affectedFlags(view: EnvironmentView, changes: readonly Change[]): Set<string> {
  const affected = new Set<string>();
  const segments = new Set<string>();
  for (const change of changes) {
    if (!concerns(change, view.key)) continue;
    if (change.entity === "segment") segments.add(change.key);
    else affected.add(change.key);
  }
  if (segments.size > 0)
    for (const flag of view.flagsByKey.values())
      if (flag.rules.some((rule) => rule.segments?.some((key) => segments.has(key)))) affected.add(flag.key);
  for (let grew = affected.size > 0; grew; ) {
    grew = false;
    for (const flag of view.flagsByKey.values())
      if (!affected.has(flag.key) && flag.prerequisites?.some((p) => affected.has(p.flag))) {
        affected.add(flag.key);
        grew = true;
      }
  }
  return affected;
}

/**
 * Only the values that differ from what was sent, and the flags that are gone; null when nothing
 * changed. With `affected` (see `affectedFlags`) only those flags are evaluated again, and the
 * stream's `values` are updated in place: the cost is per affected flag, not per flag.
 */
export function clientValuesPatch(
  view: EnvironmentView,
  context: EvaluationContext,
  previous: ClientValues,
  affected?: ReadonlySet<string>,
): { event: StreamEvent; values: ClientValues } | null {
  const changed: Array<[string, string]> = [];
  const deleted: string[] = [];
  let values: ClientValues;
  if (affected === undefined) {
    values = evaluatedFragments(view.engine, context);
    for (const [key, fragment] of values) if (previous.get(key) !== fragment) changed.push([key, fragment]);
    for (const key of previous.keys()) if (!values.has(key)) deleted.push(key);
  } else {
    for (const key of affected) {
      const sent = previous.get(key);
      if (view.flagsByKey.has(key)) {
        const fragment = evaluatedFragment(view.engine, key, context);
        if (fragment !== sent) changed.push([key, fragment]);
      } else if (sent !== undefined) deleted.push(key);
    }
    for (const [key, fragment] of changed) previous.set(key, fragment);
    for (const key of deleted) previous.delete(key);
    values = previous;
  }
  if (changed.length === 0 && deleted.length === 0) return null;
  return {
    event: {
      event: "patch",
      id: eventId(view.epoch, view.version),
      data: `{"flags":${flagsObject(changed)},"deleted":${JSON.stringify(deleted)}}`,
    },
    values,
  };
}
