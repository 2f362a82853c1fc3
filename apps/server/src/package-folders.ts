import { fileURLToPath } from "node:url";

/*
 * The SQL migrations and the built console ship inside the server package (`apps/server/migrations`,
 * `apps/server/console`). This module sits directly under `src/`, and the build bundles it into a
 * file directly under `dist/`, so the same relative paths find both folders from source (tsx, tests)
 * and from the installed package.
 */
export const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));

/** Written by the console's `vite build`; absent until then (the server then serves the API alone). */
export const consoleFolder = fileURLToPath(new URL("../console", import.meta.url));
