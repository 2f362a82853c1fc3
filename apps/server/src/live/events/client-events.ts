import type { EvaluationContext } from "@switchyard/core";
import { evaluatedFragments } from "../../services/client-evaluation";
import type { EnvironmentView } from "../live-state";
import { eventId, type StreamEvent } from "./sdk-events";

/** What a client stream last sent: flag key → the JSON fragment of its value. */
export type ClientValues = ReadonlyMap<string, string>;

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

/** Only the values that differ from what was sent, and the flags that are gone; null when nothing changed. */
export function clientValuesPatch(
  view: EnvironmentView,
  context: EvaluationContext,
  previous: ClientValues,
): { event: StreamEvent; values: ClientValues } | null {
  const values = evaluatedFragments(view.engine, context);
  const changed: Array<[string, string]> = [];
  for (const [key, fragment] of values) if (previous.get(key) !== fragment) changed.push([key, fragment]);
  const deleted = [...previous.keys()].filter((key) => !values.has(key));
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
