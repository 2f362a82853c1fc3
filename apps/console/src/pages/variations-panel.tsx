import type { Flag } from "../api/types";

/**
 * The flag's variations as configs refer to them (by id, which never changes), and its metadata.
 * Read-only: variations are edited through PATCH /api/flags/:key (see the README).
 */
export function VariationsPanel(props: { flag: Flag }) {
  const { variations, metadata } = props.flag;
  const entries = Object.entries(metadata ?? {});
  return (
    <section class="panel" aria-labelledby="variations-title">
      <h2 id="variations-title">Variations</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
            <th scope="col">Id</th>
          </tr>
        </thead>
        <tbody>
          {variations.map((v) => (
            <tr key={v.id}>
              <td>
                {v.name}
                {v.description !== undefined && <div class="muted small">{v.description}</div>}
              </td>
              <td>
                <code>{JSON.stringify(v.value)}</code>
              </td>
              <td>
                <code>{v.id}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length > 0 && (
        <dl class="small">
          {entries.map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>{String(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
