import { fileURLToPath } from "node:url";

/**
 * The SQL migrations ship inside the server package (`apps/server/migrations`). This module sits
 * directly under `src/`, and the build bundles it into a file directly under `dist/`, so the same
 * relative path finds the folder from source (tsx, tests) and from the installed package.
 */
export const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));
