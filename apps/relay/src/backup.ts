import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { parseSnapshot, type SdkSnapshot } from "../../../packages/sdk-node/src/payloads";
import { relayedTokenSchema, type RelayedToken } from "./relay-state";

/** What a relay serves after a restart while the server cannot be reached. */
export interface Backup {
  savedAt: string;
  environments: SdkSnapshot[];
  tokens: RelayedToken[];
}

const backupSchema = z.object({
  format: z.literal(1),
  savedAt: z.string(),
  environments: z.array(z.unknown()),
  tokens: z.array(relayedTokenSchema),
});

/** The backup at `path`, or why there is none to use (missing, unreadable, another format). */
export function readBackup(path: string): { ok: true; backup: Backup } | { ok: false; problem: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { ok: false, problem: `no backup at ${path}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${path} is not JSON` };
  }
  const parsed = backupSchema.safeParse(data);
  if (!parsed.success) return { ok: false, problem: `${path} is not a relay backup: ${parsed.error.issues[0]?.message ?? ""}` };
  const environments: SdkSnapshot[] = [];
  for (const raw of parsed.data.environments) {
    const snapshot = parseSnapshot(raw);
    if (!snapshot.ok) return { ok: false, problem: `${path}: ${snapshot.problem}` };
    environments.push(snapshot.value);
  }
  return { ok: true, backup: { savedAt: parsed.data.savedAt, environments, tokens: parsed.data.tokens } };
}

/**
 * Writes the relay's state at most once per `delayMs` after a change: to a temporary file that
 * replaces the backup in one rename, so a crash mid-write leaves the previous backup whole. Only
 * token hashes are written, never secrets; the file is readable by its owner alone.
 */
export class BackupWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly read: () => Omit<Backup, "savedAt">,
    private readonly delayMs = 500,
  ) {}

  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, this.delayMs);
    this.timer.unref();
  }

  write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const backup = { format: 1, savedAt: new Date().toISOString(), ...this.read() };
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(backup), { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
