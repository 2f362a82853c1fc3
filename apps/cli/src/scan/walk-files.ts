import { lstat, readdir, readFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import ignore, { type Ignore } from "ignore";

/** Never scanned, .gitignore or not: git's own folder and installed dependencies. */
const ALWAYS_SKIPPED = new Set([".git", "node_modules"]);

interface IgnoreScope {
  /** The folder holding the .gitignore, relative to the scan root (posix, "" for the root). */
  base: string;
  rules: Ignore;
}

/**
 * Every file under `start` (a posix folder path relative to `root`, "" for all of it) that git
 * would not ignore, as posix paths relative to `root`, in a stable order. `root` is the
 * repository's top folder: the `.gitignore` of each folder from there down applies below it, as
 * in git, also when only a subfolder is walked; an ignored folder is not entered. Symbolic links
 * are not followed.
 */
export async function* walkFiles(root: string, start = ""): AsyncGenerator<string> {
  const scopes: IgnoreScope[] = [];
  const parts = start === "" ? [] : start.split("/");
  for (let depth = 0; depth < parts.length; depth++) {
    const dir = parts.slice(0, depth).join("/");
    const scope = await readGitignore(dir === "" ? root : join(root, ...dir.split("/")), dir);
    if (scope) scopes.push(scope);
  }
  if (start !== "" && isIgnored(scopes, `${start}/`)) return;
  yield* walk(root, start, scopes);
}

async function* walk(root: string, dir: string, scopes: IgnoreScope[]): AsyncGenerator<string> {
  const absolute = dir === "" ? root : join(root, ...dir.split("/"));
  const here = await readGitignore(absolute, dir);
  const active = here ? [...scopes, here] : scopes;
  const entries = (await readdir(absolute, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!isIgnored(active, `${path}/`)) yield* walk(root, path, active);
    } else if (entry.isFile() && !isIgnored(active, path)) {
      yield path;
    }
  }
}

async function readGitignore(absoluteDir: string, dir: string): Promise<IgnoreScope | undefined> {
  try {
    const text = await readFile(join(absoluteDir, ".gitignore"), "utf8");
    return { base: dir, rules: ignore().add(text) };
  } catch {
    return undefined;
  }
}

function isIgnored(scopes: readonly IgnoreScope[], path: string): boolean {
  let ignored = false;
  // Deeper .gitignore files come later and override, negations included, as in git.
  for (const scope of scopes) {
    const local = scope.base === "" ? path : posix.relative(scope.base, path) + (path.endsWith("/") ? "/" : "");
    const result = scope.rules.test(local);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

/** Text files only: larger files and files with a NUL byte (binaries) are skipped. */
export const MAX_FILE_BYTES = 1024 * 1024;

export async function readTextFile(root: string, path: string): Promise<string | undefined> {
  const absolute = join(root, ...path.split("/"));
  const info = await lstat(absolute);
  if (info.size > MAX_FILE_BYTES) return undefined;
  const bytes = await readFile(absolute);
  if (bytes.subarray(0, 8192).includes(0)) return undefined;
  return bytes.toString("utf8");
}

/** For messages: a path relative to the working folder, with the platform's separator. */
export const displayPath = (cwd: string, path: string) => relative(cwd, path).split(sep).join("/") || ".";
