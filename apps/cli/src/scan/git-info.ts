import { readFile, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

/**
 * The repository name and branch a scan is filed under, and the repository's top folder (paths
 * are relative to it), read from the `.git` folder (no `git` process): the name from `remote "origin"` (`git@github.com:acme/shop.git` → `acme/shop`), else
 * the folder's name; the branch from `HEAD`, undefined when detached (CI checkouts of a pull
 * request often are: pass `--branch`).
 */
export async function readGitInfo(dir: string): Promise<{ repository: string; branch: string | undefined; root: string }> {
  const gitDir = await findGitDir(resolve(dir));
  if (gitDir === undefined) return { repository: basename(resolve(dir)), branch: undefined, root: resolve(dir) };
  const [config, head] = await Promise.all([readOptional(join(gitDir.path, "config")), readOptional(join(gitDir.path, "HEAD"))]);
  const origin = config === undefined ? undefined : originUrl(config);
  return {
    root: gitDir.worktree,
    repository: (origin === undefined ? undefined : repositoryName(origin)) ?? basename(gitDir.worktree),
    branch: /^ref:\s*refs\/heads\/(.+)$/m.exec(head ?? "")?.[1]?.trim(),
  };
}

/** `owner/name` from a clone URL (ssh, scp-like or https), without `.git`. */
export function repositoryName(url: string): string | undefined {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/(.+)$/i.exec(url)?.[1] ?? /^[^@/\s]+@[^:/\s]+:(.+)$/.exec(url)?.[1];
  const name = path?.replace(/\.git\/?$/, "").replace(/\/+$/, "");
  return name === undefined || name === "" ? undefined : name;
}

function originUrl(config: string): string | undefined {
  const section = /\[remote "origin"\]([^[]*)/.exec(config)?.[1];
  return section === undefined ? undefined : /^\s*url\s*=\s*(.+?)\s*$/m.exec(section)?.[1];
}

/** The nearest `.git` at or above `dir`: a folder, or a file pointing to one (worktrees, submodules). */
async function findGitDir(dir: string): Promise<{ path: string; worktree: string } | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, ".git");
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isDirectory()) return { path: candidate, worktree: current };
    if (info?.isFile()) {
      const target = /^gitdir:\s*(.+?)\s*$/m.exec((await readOptional(candidate)) ?? "")?.[1];
      if (target !== undefined) return { path: isAbsolute(target) ? target : join(current, target), worktree: current };
    }
    if (dirname(current) === current) return undefined;
  }
}

const readOptional = (path: string) => readFile(path, "utf8").catch(() => undefined);
