import { randomBytes } from "node:crypto";

/** Rules keep the ids clients gave them; the rest get a fresh id unique within the list. */
export function assignRuleIds<T extends { id?: string | undefined }>(rules: T[]): Array<T & { id: string }> {
  const taken = new Set(rules.flatMap((r) => (r.id === undefined ? [] : [r.id])));
  return rules.map((rule) => {
    if (rule.id !== undefined) return { ...rule, id: rule.id };
    let id = newRuleId();
    while (taken.has(id)) id = newRuleId();
    taken.add(id);
    return { ...rule, id };
  });
}

function newRuleId(): string {
  return `rule-${randomBytes(4).toString("hex")}`;
}
