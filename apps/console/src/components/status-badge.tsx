import type { DeployStatus } from "../api/deploy-types";

const TONE: Record<DeployStatus, string> = {
  observing: "info",
  healthy: "good",
  mitigating: "warn",
  mitigated: "warn",
  "rollback-required": "bad",
  inconclusive: "muted-badge",
};

export function StatusBadge({ status }: { status: DeployStatus }) {
  return <span class={`badge status ${TONE[status] ?? ""}`}>{status}</span>;
}
