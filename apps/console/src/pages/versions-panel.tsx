import { useState } from "preact/hooks";
import type { FlagConfig, FlagConfigVersion } from "../api/types";
import { useApp } from "../app-context";
import { Table } from "../components/table";
import { JsonDiff } from "../components/json-diff";
import { Problem, when } from "../components/problem";
import { useResource } from "../use-resource";

const configOf = (v: FlagConfigVersion): FlagConfig => ({
  enabled: v.enabled,
  offVariation: v.offVariation,
  rules: v.rules,
  fallthrough: v.fallthrough,
  prerequisites: v.prerequisites,
});

/** Every kept version of one config: compare any two, restore one (a new version equal to it). */
export function VersionsPanel({
  flag,
  environment,
  current,
  onRestored,
}: {
  flag: string;
  environment: string;
  current: number;
  onRestored(): void;
}) {
  const { api, revision } = useApp();
  const base = `/api/flags/${encodeURIComponent(flag)}/environments/${encodeURIComponent(environment)}`;
  const versions = useResource(() => api.get<{ versions: FlagConfigVersion[] }>(`${base}/versions?limit=100`), [api, base, revision]);
  const [left, setLeft] = useState<number | null>(null);
  const [right, setRight] = useState<number | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const list = versions.data?.versions ?? [];
  const a = list.find((v) => v.version === left);
  const b = list.find((v) => v.version === right);

  const restore = async (version: number) => {
    setFailure(null);
    try {
      await api.send(
        "POST",
        `${base}/versions/${version}/restore`,
        { comment: `Restored version ${version} in the console` },
        { "if-match": `"${current}"` },
      );
      onRestored();
    } catch (error) {
      setFailure(error);
    }
  };

  return (
    <section class="panel" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      {versions.error && <Problem error={versions.error} />}
      {failure !== null && <Problem error={failure} />}
      <Table class="versions" columns={["Version", "Saved", "By", "Comment", "State", "Compare", { hidden: "Restore" }]}>
        <tbody>
          {list.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>
                {v.version}
                {v.version === current && <span class="badge">current</span>}
              </td>
              <td>{when(v.createdAt)}</td>
              <td>{v.actor.name ?? "—"}</td>
              <td>{v.comment ?? ""}</td>
              <td>
                {v.enabled ? "on" : "off"}, {v.rules.length} rule{v.rules.length === 1 ? "" : "s"}
              </td>
              <td class="compare">
                <label class="check">
                  <input type="radio" name="diff-left" checked={left === v.version} onChange={() => setLeft(v.version)} />
                  <span class="visually-hidden">Compare from version {v.version}</span>A
                </label>
                <label class="check">
                  <input type="radio" name="diff-right" checked={right === v.version} onChange={() => setRight(v.version)} />
                  <span class="visually-hidden">Compare to version {v.version}</span>B
                </label>
              </td>
              <td>
                {v.version !== current && (
                  <button type="button" onClick={() => void restore(v.version)} aria-label={`Restore version ${v.version}`}>
                    Restore
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      {a !== undefined && b !== undefined && (
        <div>
          <h3>
            Version {a.version} → version {b.version}
          </h3>
          <JsonDiff before={configOf(a)} after={configOf(b)} label={`Version ${a.version} to version ${b.version}`} />
        </div>
      )}
      {(a === undefined || b === undefined) && <p class="muted small">Pick A and B to compare two versions.</p>}
    </section>
  );
}
