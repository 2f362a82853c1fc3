/**
 * Who reported a count. A server SDK holds a server token, which is a secret; a browser's client
 * token ships in every web page, so anyone can report as a browser. Deploy decisions count
 * browser reports only when the deploy asks for them (`guard.browserCounts`). Apart from the
 * schema: a relay (apps/relay) sorts the counts it forwards by source without database code.
 */
export const CountSources = { server: "server", browser: "browser" } as const;
export type CountSource = (typeof CountSources)[keyof typeof CountSources];
