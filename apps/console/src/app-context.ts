import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { ApiClient } from "./api/api-client";

export interface AppServices {
  api: ApiClient;
  /** Moves whenever anything changed on the server (see live.ts). */
  revision: number;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (services === null) throw new Error("useApp() outside the signed-in app");
  return services;
}
