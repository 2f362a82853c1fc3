/** The SQLSTATE codes the store turns into answers instead of 500s. */
export const PostgresErrors = {
  foreignKeyViolation: "23503",
  uniqueViolation: "23505",
} as const;
export type PostgresError = (typeof PostgresErrors)[keyof typeof PostgresErrors];

/**
 * The SQLSTATE of a failed query, from postgres.js or PGlite, also when drizzle wraps it (as its
 * `cause`); undefined for anything that is not a database refusal.
 */
export function postgresErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if ("code" in current && typeof current.code === "string" && /^[0-9A-Z]{5}$/.test(current.code)) return current.code;
  }
  return undefined;
}

export const isPostgresError = (error: unknown, code: PostgresError): boolean => postgresErrorCode(error) === code;
