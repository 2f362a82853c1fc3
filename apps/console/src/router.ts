import { useEffect, useState } from "preact/hooks";

/** The console's pages, by URL path; the server answers index.html for each of them. */
export type Route =
  | { page: "flags" }
  | { page: "flag"; flag: string; environment: string }
  | { page: "deploys" }
  | { page: "deploy"; id: string }
  | { page: "stale" }
  | { page: "segments" }
  | { page: "environments" }
  | { page: "tokens" }
  | { page: "audit" }
  | { page: "not-found"; path: string };

const simple = ["deploys", "stale", "segments", "environments", "tokens", "audit"] as const;

export function parseRoute(path: string): Route {
  const parts = path
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent);
  const [first, second, third] = parts;
  if (parts.length === 0 || (first === "flags" && parts.length === 1)) return { page: "flags" };
  if (first === "flags" && second !== undefined && third !== undefined && parts.length === 3)
    return { page: "flag", flag: second, environment: third };
  if (first === "deploys" && second !== undefined && parts.length === 2) return { page: "deploy", id: second };
  const named = simple.find((page) => page === first);
  if (named !== undefined && parts.length === 1) return { page: named };
  return { page: "not-found", path };
}

export const flagPath = (flag: string, environment: string) => `/flags/${encodeURIComponent(flag)}/${encodeURIComponent(environment)}`;
export const deployPath = (id: string) => `/deploys/${encodeURIComponent(id)}`;

const NAVIGATE = "switchyard:navigate";

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE));
}

/** The current path, following links, back and forward. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return path;
}

/** A plain click on an in-app link navigates without a reload; modified clicks open tabs as usual. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.target instanceof Element ? event.target.closest("a") : null;
  if (anchor === null || anchor.origin !== location.origin || anchor.target === "_blank" || anchor.hasAttribute("download")) return;
  // In-page anchors (the skip link) keep their default jump.
  if (anchor.getAttribute("href")?.startsWith("#")) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
