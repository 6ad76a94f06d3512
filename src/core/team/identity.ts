/**
 * Which repository a folder is, for a team index: its normalized `origin` remote URL (so every
 * clone, at any path, on any machine, names the same repository) or an explicit repo id — never
 * a local path, which is what keeps other tools' clones from ever meeting.
 */
import { spawnSync } from 'node:child_process';
import { TeamIndexError } from './errors';

export interface RepoIdentity {
  /** `github.com/owner/name`, or the --repo-id as given. */
  readonly id: string;
  /** HEAD commit, when the folder is a git work tree. */
  readonly commit?: string;
  /** Branch (or `HEAD` when detached). */
  readonly ref?: string;
  /** Tracked files differ from the commit: a snapshot of it is not the commit's. */
  readonly dirty?: boolean;
}

/**
 * `git@github.com:Owner/Repo.git`, `https://user@github.com/Owner/Repo`, `ssh://git@github.com/Owner/Repo.git/`
 * all become `github.com/owner/repo`: scheme, user, port 22/443, `.git` and case do not name a
 * different repository.
 */
export function normalizeRemoteUrl(url: string): string {
  let s = url.trim();
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(s);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `${scp[1]}/${scp[2]}`;
  else {
    try {
      const u = new URL(s);
      const port = u.port && !['22', '80', '443'].includes(u.port) ? `:${u.port}` : '';
      s = u.protocol === 'file:' ? u.pathname : `${u.hostname}${port}${u.pathname}`;
    } catch {
      // not a URL: keep as is (a local remote path is still the same string on every clone)
    }
  }
  return s.replace(/\/+$/, '').replace(/\.git$/i, '').replace(/\/+/g, '/').toLowerCase();
}

function git(root: string, args: string[]): string | undefined {
  const r = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** The folder's identity; `repoId` (flag or setting) wins over the remote. */
export function repoIdentity(root: string, repoId?: string): RepoIdentity {
  const commit = git(root, ['rev-parse', '--verify', '-q', 'HEAD']);
  const ref = commit ? git(root, ['rev-parse', '--abbrev-ref', 'HEAD']) : undefined;
  const dirty = commit ? !!git(root, ['status', '--porcelain', '--untracked-files=no']) : false;
  const at = { ...(commit ? { commit } : {}), ...(ref ? { ref } : {}), ...(dirty ? { dirty } : {}) };
  const explicit = repoId?.trim();
  if (explicit) return { id: explicit, ...at };
  const remote = git(root, ['config', '--get', 'remote.origin.url']);
  if (!remote) {
    throw new TeamIndexError('config', 'This folder has no git "origin" remote to name it in the team index. Pass --repo-id NAME (the same name on every clone).');
  }
  return { id: normalizeRemoteUrl(remote), ...at };
}
