import type { BrowserGlobals, VisibilitySource } from "./browser-types";

/** The page's visibility, or undefined where there is no document (workers, server rendering). */
export function documentVisibility(globals: BrowserGlobals): VisibilitySource | undefined {
  const document = globals.document;
  return (
    document && {
      state: () => document.visibilityState,
      onChange(listener) {
        document.addEventListener("visibilitychange", listener);
        return () => document.removeEventListener("visibilitychange", listener);
      },
    }
  );
}
