import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { ApiClient } from "./api/api-client";
import type { AuditEntry } from "./api/types";

export interface AppServices {
  api: ApiClient;
  /** Moves whenever anything changed on the server (see live.ts). */
  revision: number;
  /** The newest change the live poll saw (undefined until one arrives after sign-in). */
  latest: AuditEntry | undefined;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (services === null) throw new Error("useApp() outside the signed-in app");
  return services;
}
