import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { createApiClient } from "./api/api-client";
import { AppContext } from "./app-context";
import { useLiveRevision } from "./live";
import { AuditPage } from "./pages/audit-page";
import { DeployPage } from "./pages/deploy-page";
import { DeploysPage } from "./pages/deploys-page";
import { EnvironmentsPage } from "./pages/environments-page";
import { FlagEnvironmentPage } from "./pages/flag-environment-page";
import { FlagsPage } from "./pages/flags-page";
import { SegmentsPage } from "./pages/segments-page";
import { SignIn } from "./pages/sign-in";
import { StalePage } from "./pages/stale-page";
import { TokensPage } from "./pages/tokens-page";
import { onLinkClick, parseRoute, usePath, type Route } from "./router";
import { session } from "./session";

const NAV: Array<{ href: string; label: string; pages: Route["page"][] }> = [
  { href: "/", label: "Flags", pages: ["flags", "flag"] },
  { href: "/deploys", label: "Deploys", pages: ["deploys", "deploy"] },
  { href: "/stale", label: "Stale flags", pages: ["stale"] },
  { href: "/segments", label: "Segments", pages: ["segments"] },
  { href: "/environments", label: "Environments", pages: ["environments"] },
  { href: "/tokens", label: "Tokens", pages: ["tokens"] },
  { href: "/audit", label: "Audit log", pages: ["audit"] },
];

function titleOf(route: Route): string {
  switch (route.page) {
    case "flag":
      return `${route.flag} in ${route.environment}`;
    case "deploy":
      return `Deploy ${route.id}`;
    case "not-found":
      return "Not found";
    default:
      return NAV.find((item) => item.pages.includes(route.page))?.label ?? "Switchyard";
  }
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "flags":
      return <FlagsPage />;
    case "flag":
      return <FlagEnvironmentPage flag={route.flag} environment={route.environment} />;
    case "deploys":
      return <DeploysPage />;
    case "deploy":
      return <DeployPage id={route.id} />;
    case "stale":
      return <StalePage />;
    case "segments":
      return <SegmentsPage />;
    case "environments":
      return <EnvironmentsPage />;
    case "tokens":
      return <TokensPage />;
    case "audit":
      return <AuditPage />;
    case "not-found":
      return (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <a href="/">Back to the flags</a>.
          </p>
        </section>
      );
  }
}

function SignedIn({ token, onSignOut }: { token: string; onSignOut(): void }) {
  const api = useMemo(() => createApiClient(token, onSignOut), [token, onSignOut]);
  const { revision, latest } = useLiveRevision(api);
  const path = usePath();
  const route = parseRoute(path);
  const services = useMemo(() => ({ api, revision, latest }), [api, revision, latest]);
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(path);
  useEffect(() => {
    document.title = `${titleOf(route)} · Switchyard`;
  }, [path]);
  // After a navigation, keyboard and screen-reader users start at the new page, not at the link they left.
  useEffect(() => {
    if (path !== firstPath.current) main.current?.focus();
    firstPath.current = "";
  }, [path]);
  return (
    <AppContext.Provider value={services}>
      <div class="shell" onClick={onLinkClick}>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Switchyard
          </a>
          <nav aria-label="Main">
            {NAV.map((item) => (
              <a key={item.href} href={item.href} aria-current={item.pages.includes(route.page) ? "page" : undefined}>
                {item.label}
              </a>
            ))}
          </nav>
          <button type="button" class="sign-out" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        <main class="content" id="main" ref={main} tabIndex={-1}>
          <Page route={route} />
        </main>
      </div>
    </AppContext.Provider>
  );
}

export function App() {
  const [token, setToken] = useState(session.token);
  const signOut = useMemo(
    () => () => {
      session.signOut();
      setToken(null);
    },
    [],
  );
  if (token === null) {
    return (
      <SignIn
        onSignedIn={(signedIn) => {
          session.signIn(signedIn);
          setToken(signedIn);
        }}
      />
    );
  }
  return <SignedIn token={token} onSignOut={signOut} />;
}
