import type { Deploy } from "../api/deploy-types";
import { useApp } from "../app-context";
import { Table } from "../components/table";
import { Problem, when } from "../components/problem";
import { StatusBadge } from "../components/status-badge";
import { deployPath } from "../router";
import { useResource } from "../use-resource";

/** Guarded deploys, newest first, with the decision each got. */
export function DeploysPage() {
  const { api, revision } = useApp();
  const deploys = useResource(() => api.get<{ deploys: Deploy[] }>("/api/deploys?limit=100"), [api, revision]);
  return (
    <section aria-labelledby="deploys-title">
      <h1 id="deploys-title">Deploys</h1>
      {deploys.error && <Problem error={deploys.error} />}
      {deploys.data?.deploys.length === 0 && (
        <p class="muted">
          No guarded deploy yet. Register one with <code>switchyard deploy watch</code> or <code>POST /api/deploys</code>.
        </p>
      )}
      {deploys.data && deploys.data.deploys.length > 0 && (
        <Table columns={["Deploy", "Decision", "Environment", "Flags", "Started", "Evidence"]}>
          <tbody>
            {deploys.data.deploys.map((d) => (
              <tr key={d.id} data-deploy={d.id}>
                <th scope="row">
                  <a href={deployPath(d.id)}>
                    {d.service} {d.version}
                  </a>
                  <div class="muted small">
                    <code>{d.id}</code>
                  </div>
                </th>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td>{d.environment}</td>
                <td>{d.flags.join(", ")}</td>
                <td>{when(d.createdAt)}</td>
                <td class="summary">{d.summary ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
