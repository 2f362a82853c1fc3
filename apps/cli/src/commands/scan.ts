import { stat } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { createApiClient, isRecord } from "../api-client";
import { formatTable, type CliIo } from "../cli-io";
import { CliError, ExitCodes, type ExitCode } from "../exit-codes";
import { DEFAULT_COMMENT_PREFIXES, findReferences, type LineReference } from "../scan/find-references";
import { readGitInfo } from "../scan/git-info";
import { readTextFile, walkFiles } from "../scan/walk-files";

export interface ScanOptions {
  dir: string | undefined;
  repository: string | undefined;
  branch: string | undefined;
  dryRun: boolean;
  json: boolean;
  commentPrefixes: readonly string[] | undefined;
  url: string;
  token: string | undefined;
}

export interface FileReference extends LineReference {
  path: string;
}

// The server takes request bodies up to 1 MiB; keep a margin for the envelope.
const MAX_UPLOAD_BYTES = 1024 * 1024 - 4096;

export async function scanCommand(io: CliIo, options: ScanOptions): Promise<ExitCode> {
  const root = resolve(io.cwd, options.dir ?? ".");
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) throw new CliError(`Not a folder: ${options.dir ?? root}`);
  const api = createApiClient({ url: options.url, token: options.token, fetch: io.fetch });

  // Without a token a dry run still finds SDK calls; exact matches need the server's keys.
  const canAsk = !options.dryRun || (options.token !== undefined && options.token !== "");
  const knownKeys = canAsk ? await fetchFlagKeys(api) : new Set<string>();
  if (!canAsk) io.err("No token: finding SDK calls only (exact string matches need the server's flag keys)\n");

  // Paths are the repository's (`apps/web/src/x.ts`), also when only a subfolder is scanned.
  const git = await readGitInfo(root);
  const start = relative(git.root, root).split(sep).join("/");
  const commentPrefixes = options.commentPrefixes ?? DEFAULT_COMMENT_PREFIXES;
  const refs: FileReference[] = [];
  let files = 0;
  for await (const path of walkFiles(git.root, start)) {
    const text = await readTextFile(git.root, path);
    if (text === undefined) continue;
    files++;
    for (const ref of findReferences(text, { knownKeys, commentPrefixes })) refs.push({ path, ...ref });
  }

  const repository = options.repository ?? git.repository;
  const branch = options.branch ?? git.branch;
  const flags = new Set(refs.map((r) => r.flag)).size;

  if (options.dryRun) {
    if (options.json) io.out(`${JSON.stringify({ repository, branch: branch ?? null, files, refs, upload: null }, null, 2)}\n`);
    else {
      if (refs.length > 0) io.out(`${formatTable(refs.map((r) => [`${r.path}:${r.line}`, r.flag, r.text]))}\n`);
      io.out(
        `Found ${plural(refs.length, "reference")} to ${plural(flags, "flag")} in ${plural(files, "file")} of ${repository}@${branch ?? "?"} (dry run: nothing uploaded)\n`,
      );
    }
    return ExitCodes.ok;
  }

  if (branch === undefined) throw new CliError("Cannot tell the branch (no .git folder, or HEAD is detached): pass --branch");
  const upload = await api.postJson("/api/code-refs", uploadBody(io, repository, branch, refs));
  if (options.json) {
    io.out(`${JSON.stringify({ repository, branch, files, refs, upload }, null, 2)}\n`);
    return ExitCodes.ok;
  }
  io.out(
    `Uploaded ${plural(refs.length, "reference")} to ${plural(flags, "flag")} from ${plural(files, "file")} for ${repository}@${branch}\n`,
  );
  const unknown =
    isRecord(upload) && Array.isArray(upload.unknownFlags) ? upload.unknownFlags.filter((f): f is string => typeof f === "string") : [];
  if (unknown.length > 0) {
    const where = (flag: string) =>
      refs
        .filter((r) => r.flag === flag)
        .map((r) => `${r.path}:${r.line}`)
        .slice(0, 3)
        .join(", ");
    io.err(`These keys in code name no flag (a typo, or not created yet):\n${unknown.map((f) => `  ${f}  ${where(f)}`).join("\n")}\n`);
  }
  return ExitCodes.ok;
}

async function fetchFlagKeys(api: ReturnType<typeof createApiClient>): Promise<Set<string>> {
  const body = await api.getJson("/api/flags?archived=true");
  if (!isRecord(body) || !Array.isArray(body.flags)) throw new CliError("Switchyard answered /api/flags with an unexpected body");
  return new Set(body.flags.flatMap((f) => (isRecord(f) && typeof f.key === "string" ? [f.key] : [])));
}

/** Path, line and the matched line — never more source. The line goes only while the body fits. */
function uploadBody(io: CliIo, repository: string, branch: string, refs: readonly FileReference[]) {
  const body = { repository, branch, refs: refs.map((r) => ({ flag: r.flag, path: r.path, line: r.line, text: r.text })) };
  if (Buffer.byteLength(JSON.stringify(body)) <= MAX_UPLOAD_BYTES) return body;
  const bare = { repository, branch, refs: refs.map((r) => ({ flag: r.flag, path: r.path, line: r.line })) };
  if (Buffer.byteLength(JSON.stringify(bare)) > MAX_UPLOAD_BYTES) {
    throw new CliError(`${refs.length} references are too many for one upload (1 MiB): scan a smaller folder per repository name`);
  }
  io.err("Many references: uploading paths and line numbers without the matched lines, to fit the 1 MiB limit\n");
  return bare;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
