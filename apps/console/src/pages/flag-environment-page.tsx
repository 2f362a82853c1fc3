import type { AuditPage, Environment, Flag, FlagConfigView, Segment } from "../api/types";
import { useApp } from "../app-context";
import { AuditList } from "../components/audit-list";
import { Problem, when } from "../components/problem";
import { flagPath } from "../router";
import { useResource } from "../use-resource";
import { FlagConfigEditor } from "./flag-config-editor";
import { FlagDetailsForm } from "./flag-details-form";
import { RehearsalsPanel } from "./rehearsals-panel";
import { VersionsPanel } from "./versions-panel";
import { VariationsPanel } from "./variations-panel";

interface Instances {
  environment: string;
  version: number | null;
  instances: Array<{
    instanceId: string;
    sdk: string | null;
    ackedVersion: number | null;
    ackedAt: string | null;
    connected: boolean;
    lastSeenAt: string;
  }>;
}

/** One flag in one environment: its config editor, versions, audit log and the SDKs serving it. */
export function FlagEnvironmentPage({ flag, environment }: { flag: string; environment: string }) {
  const { api, revision } = useApp();
  const configPath = `/api/flags/${encodeURIComponent(flag)}/environments/${encodeURIComponent(environment)}`;
  const flagInfo = useResource(() => api.get<Flag>(`/api/flags/${encodeURIComponent(flag)}`), [api, flag, revision]);
  const config = useResource(() => api.get<FlagConfigView>(configPath), [api, configPath, revision]);
  const environments = useResource(() => api.get<{ environments: Environment[] }>("/api/environments"), [api, revision]);
  const segments = useResource(() => api.get<{ segments: Segment[] }>("/api/segments"), [api, revision]);
  const allFlags = useResource(() => api.get<{ flags: Flag[] }>("/api/flags"), [api, revision]);
  const audit = useResource(
    () => api.get<AuditPage>(`/api/audit?${new URLSearchParams({ flag, environment, limit: "20" })}`),
    [api, flag, environment, revision],
  );
  const instances = useResource(
    () => api.get<Instances>(`/api/environments/${encodeURIComponent(environment)}/instances`),
    [api, environment, revision],
  );
  const reload = () => {
    config.reload();
    audit.reload();
  };

  return (
    <section aria-labelledby="flag-title">
      <p>
        <a href="/">← Flags</a>
      </p>
      <h1 id="flag-title">
        <code>{flag}</code> in {environment}
      </h1>
      {flagInfo.data && (
        <p class="muted">
          {flagInfo.data.name} · {flagInfo.data.kind}
          {flagInfo.data.description !== "" && ` · ${flagInfo.data.description}`}
          {flagInfo.data.archivedAt !== null && " · archived"}
        </p>
      )}
      {flagInfo.data && <FlagDetailsForm key={flagInfo.data.updatedAt} flag={flagInfo.data} onSaved={flagInfo.reload} />}
      <nav class="tabs" aria-label="Environments">
        {(environments.data?.environments ?? []).map((env) => (
          <a key={env.key} href={flagPath(flag, env.key)} aria-current={env.key === environment ? "page" : undefined}>
            {env.name}
          </a>
        ))}
      </nav>
      {(flagInfo.error ?? config.error) && <Problem error={flagInfo.error ?? config.error} />}
      {flagInfo.data && config.data && (
        <div class="flag-layout">
          <FlagConfigEditor
            flag={flagInfo.data}
            saved={config.data}
            segments={segments.data?.segments ?? []}
            allFlags={allFlags.data?.flags ?? []}
            onSaved={reload}
          />
          <div class="side">
            <VariationsPanel
              key={flagInfo.data.updatedAt}
              flag={flagInfo.data}
              onSaved={() => {
                flagInfo.reload();
                reload();
              }}
            />
            <VersionsPanel flag={flag} environment={environment} current={config.data.version} onRestored={reload} />
            <RehearsalsPanel flag={flag} rehearsals={flagInfo.data.lastRehearsals ?? {}} />
            <section class="panel" aria-labelledby="flag-audit-title">
              <h2 id="flag-audit-title">Audit log</h2>
              {audit.data && <AuditList entries={audit.data.entries} />}
            </section>
            <section class="panel" aria-labelledby="instances-title">
              <h2 id="instances-title">SDK instances in {environment}</h2>
              {instances.data && instances.data.instances.length === 0 && <p class="muted">No SDK reported in the last 24 hours.</p>}
              {instances.data && instances.data.instances.length > 0 && (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Instance</th>
                      <th scope="col">SDK</th>
                      <th scope="col">Serves version</th>
                      <th scope="col">Stream</th>
                    </tr>
                  </thead>
                  <tbody>
                    {instances.data.instances.map((i) => (
                      <tr key={i.instanceId}>
                        <td>
                          <code>{i.instanceId}</code>
                        </td>
                        <td>{i.sdk ?? "—"}</td>
                        <td>
                          {i.ackedVersion ?? "—"}
                          {i.ackedAt !== null && <span class="muted small"> since {when(i.ackedAt)}</span>}
                        </td>
                        <td>{i.connected ? "open" : `last seen ${when(i.lastSeenAt)}`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {instances.data && <p class="muted small">The environment is at config version {instances.data.version ?? "?"}.</p>}
            </section>
          </div>
        </div>
      )}
    </section>
  );
}
