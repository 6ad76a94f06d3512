/**
 * discoverFiles: the files of a folder worth indexing, and every file (or folder) left out with its
 * reason. Order of the checks, strongest first:
 *   security excludes (never, whatever else says) → `exclude` option → `.semanticignore`
 *   (its `!pattern` re-includes past the next two) → default excludes → `.gitignore`
 *   → `include` option → file type, size, readability.
 * A folder excluded as a whole is reported once as `dir/` and not walked (no node_modules
 * enumeration), except a gitignored folder that a `.semanticignore` `!pattern` may reach into.
 * Symlinks to files inside the root are followed; symlinks to folders are not (no loops, no
 * duplicates); FIFOs, sockets and devices are never opened.
 */
import fsSync, { type Dirent, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { SkipReason, SkippedFile } from '../types';
import { isDefaultExcluded, isSecurityExcluded, pathHasSecuritySegment } from './excludes';
import { type IgnoreLayer, negationsMayReach, parseIgnoreFile, verdict } from './ignoreLayers';

export interface DiscoveryOptions {
  /** Gitignore-style globs; when given, only matching files are indexed. */
  readonly include?: readonly string[];
  /** Gitignore-style globs of files and folders to leave out. */
  readonly exclude?: readonly string[];
  /** Files larger than this are skipped as `too-large` (default 1,000,000 bytes). */
  readonly maxFileBytes?: number;
  readonly signal?: AbortSignal;
  /**
   * Live updates: only these POSIX relative paths are looked at. Only the folders on their way
   * are read (each for its ignore files and the next name), never the rest of the tree, and the
   * same rules apply as in a full walk.
   */
  readonly only?: readonly string[];
}

export interface DiscoveredFile {
  /** POSIX path relative to the root. */
  readonly path: string;
  readonly absPath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface Discovery {
  /** Sorted by path. */
  readonly files: DiscoveredFile[];
  /** Sorted by path; a folder skipped as a whole appears once, its path ending in `/`. */
  readonly skipped: SkippedFile[];
}

export const DEFAULT_MAX_FILE_BYTES = 1_000_000;
export const SEMANTICIGNORE = '.semanticignore';
/**
 * The walk is synchronous (readdirSync, statSync) and yields to the event loop, between
 * directories, once it has run this long, so an extension host stays responsive. A sync call on a
 * cached inode costs microseconds; the promise API costs a thread-pool round trip per call, and
 * the main thread mostly waits for it (measured on 10k files: 16 concurrent `fs.promises.stat`
 * 460–970 ms wall, a `statSync` loop 55–155 ms).
 */
const SLICE_MS = 10;
/** Inside one huge directory, the clock is read (and the walk may yield) every this many files. */
const STAT_BATCH = 256;

interface Folder {
  readonly rel: string; // '' or 'a/b/'
  readonly abs: string;
  readonly git: readonly IgnoreLayer[];
  readonly sem: readonly IgnoreLayer[];
  /** Walked only because a `.semanticignore` re-include may reach inside a gitignored folder. */
  readonly gitignored: boolean;
  /**
   * Git layers below this index no longer apply: a `.semanticignore` `!folder/` re-included this
   * subtree, and the `.gitignore` rules above it would otherwise still match its files through
   * their parent folder. `.gitignore` files inside the subtree still count.
   */
  readonly gitFloor: number;
}

interface Walk {
  readonly rootReal: string;
  readonly maxFileBytes: number;
  readonly include?: Ignore;
  readonly exclude?: Ignore;
  readonly signal?: AbortSignal;
  readonly files: DiscoveredFile[];
  readonly skipped: SkippedFile[];
  readonly identity: Identity | undefined;
  /** With `only`: the entry names to look at, by folder (`''`, `a/`, `a/b/`). */
  readonly wanted?: ReadonlyMap<string, ReadonlySet<string>>;
  /** performance.now() of the last yield to the event loop. */
  sliceStart: number;
}

/** Who we are, for mode-bit readability checks (looked up once per walk, not per file). */
interface Identity {
  readonly uid: number;
  readonly gids: ReadonlySet<number>;
}

function currentIdentity(): Identity | undefined {
  if (typeof process.getuid !== 'function' || typeof process.getgroups !== 'function') return undefined; // Windows
  const uid = process.getuid();
  if (uid === 0) return undefined; // root reads everything
  return { uid, gids: new Set([...process.getgroups(), process.getgid?.() ?? -1]) };
}

function globMatcher(globs: readonly string[] | undefined): Ignore | undefined {
  const list = (globs ?? []).map((g) => g.trim()).filter(Boolean);
  return list.length ? ignore({ ignorecase: false }).add(list) : undefined;
}

export async function discoverFiles(root: string, opts: DiscoveryOptions = {}): Promise<Discovery> {
  opts.signal?.throwIfAborted();
  const rootAbs = path.resolve(root);
  const rootReal = await fs.realpath(rootAbs);
  if (!(await fs.stat(rootReal)).isDirectory()) throw new Error(`not a folder: ${root}`);
  const walk: Walk = {
    rootReal,
    maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    include: globMatcher(opts.include),
    exclude: globMatcher(opts.exclude),
    signal: opts.signal,
    files: [],
    skipped: [],
    identity: currentIdentity(),
    wanted: opts.only ? wantedNames(opts.only) : undefined,
    sliceStart: performance.now(),
  };
  // .git/info/exclude speaks for the whole repository, below every .gitignore.
  const infoExclude = readOptional(path.join(rootAbs, '.git', 'info', 'exclude'));
  const infoLayer = infoExclude === undefined ? undefined : parseIgnoreFile('', infoExclude);
  // Depth first, with an explicit stack: a 200-level tree costs no recursion.
  const stack: Folder[] = [{ rel: '', abs: rootAbs, git: infoLayer ? [infoLayer] : [], sem: [], gitignored: false, gitFloor: 0 }];
  for (let folder = stack.pop(); folder; folder = stack.pop()) {
    await maybeYield(walk);
    await walkFolder(walk, folder, stack);
  }
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  walk.files.sort(byPath);
  walk.skipped.sort(byPath);
  return { files: walk.files, skipped: walk.skipped };
}

/** Folder → names wanted in it, for `only`: `a/b/c.ts` wants `a` in '', `b` in 'a/', `c.ts` in 'a/b/'. */
function wantedNames(paths: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const p of paths) {
    const parts = p.split('/').filter((s) => s && s !== '.');
    if (parts.includes('..')) continue; // never outside the root
    let dir = '';
    for (const name of parts) {
      let set = out.get(dir);
      if (!set) out.set(dir, (set = new Set()));
      set.add(name);
      dir += `${name}/`;
    }
  }
  return out;
}

/** An ignore file's text; undefined when missing, unreadable or not a regular file (a FIFO would block the read). */
function readOptional(file: string): string | undefined {
  try {
    return fsSync.statSync(file).isFile() ? fsSync.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

function skip(walk: Walk, p: string, reason: SkipReason, detail?: string): void {
  walk.skipped.push(detail ? { path: p, reason, detail } : { path: p, reason });
}

/** Why an entry is left out by name and ignore rules, or undefined to keep it. `rel` of a folder ends in `/`. */
function ruleVerdict(walk: Walk, folder: Folder, name: string, rel: string, isDir: boolean): SkipReason | undefined {
  const nameKey = isDir ? `${name}/` : name;
  if (isSecurityExcluded(nameKey)) return 'security';
  if (walk.exclude?.ignores(rel)) return 'excluded-by-option';
  const sem = verdict(folder.sem, rel);
  if (sem === 'ignored') return 'semanticignore';
  if (sem !== 'unignored') {
    if (isDefaultExcluded(nameKey)) return 'default-exclude';
    if (folder.gitignored || verdict(folder.git, rel, folder.gitFloor) === 'ignored') return 'gitignore';
  }
  if (!isDir && walk.include && !walk.include.ignores(rel)) return 'not-included';
  return undefined;
}

/** Reads one folder: its files are checked (and stat-ed), its subfolders to walk go on `stack`. */
async function walkFolder(walk: Walk, folder: Folder, stack: Folder[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = fsSync.readdirSync(folder.abs, { withFileTypes: true });
  } catch (err) {
    if (folder.rel === '') throw err;
    skip(walk, folder.rel, 'unreadable', errorCode(err));
    return;
  }
  let git = folder.git;
  let sem = folder.sem;
  for (const e of entries) {
    if (e.name === '.gitignore') git = withLayer(git, folder, e.name);
    else if (e.name === SEMANTICIGNORE) sem = withLayer(sem, folder, e.name);
  }
  const here: Folder = { ...folder, git, sem };
  const absPrefix = folder.abs.endsWith(path.sep) ? folder.abs : folder.abs + path.sep;
  let checked = 0;
  const wanted = walk.wanted && (walk.wanted.get(folder.rel) ?? new Set<string>());
  for (const entry of entries) {
    if (wanted && !wanted.has(entry.name)) continue;
    const rel = folder.rel + entry.name;
    const abs = absPrefix + entry.name;
    if (entry.isDirectory()) {
      const relDir = `${rel}/`;
      const reason = ruleVerdict(walk, here, entry.name, relDir, true);
      if (!reason) {
        const reincluded = verdict(sem, relDir) === 'unignored';
        stack.push({
          rel: relDir, abs, git, sem,
          gitignored: reincluded ? false : folder.gitignored,
          gitFloor: reincluded ? git.length : folder.gitFloor,
        });
      } else if (reason === 'gitignore' && negationsMayReach(sem, relDir)) {
        stack.push({ rel: relDir, abs, git, sem, gitignored: true, gitFloor: folder.gitFloor });
      } else skip(walk, relDir, reason);
      continue;
    }
    const reason = ruleVerdict(walk, here, entry.name, rel, false);
    if (reason) {
      skip(walk, rel, reason);
      continue;
    }
    if (++checked % STAT_BATCH === 0) await maybeYield(walk);
    inspectFile(walk, rel, abs, entry);
  }
}

function withLayer(layers: readonly IgnoreLayer[], folder: Folder, fileName: string): readonly IgnoreLayer[] {
  const content = readOptional(path.join(folder.abs, fileName));
  const layer = content === undefined ? undefined : parseIgnoreFile(folder.rel, content);
  return layer ? [...layers, layer] : layers;
}

/** Lets the event loop run once the current slice of synchronous work has lasted SLICE_MS. */
async function maybeYield(walk: Walk): Promise<void> {
  walk.signal?.throwIfAborted();
  if (performance.now() - walk.sliceStart < SLICE_MS) return;
  await yieldToEventLoop();
  walk.signal?.throwIfAborted();
  walk.sliceStart = performance.now();
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? String(err);
}

/**
 * File type, symlink target, size and permission checks for a file that passed the rules.
 * Synchronous on purpose (see SLICE_MS); stat never opens the file, so a FIFO cannot block it.
 */
function inspectFile(walk: Walk, rel: string, abs: string, entry: Dirent): void {
  let stats: Stats;
  try {
    if (entry.isSymbolicLink()) {
      const verdict = symlinkVerdict(walk, abs);
      if ('reason' in verdict) {
        skip(walk, rel, verdict.reason, verdict.detail);
        return;
      }
      stats = verdict.target;
    } else if (!entry.isFile() && (entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice())) {
      skip(walk, rel, 'not-a-regular-file', fileTypeName(entry));
      return;
    } else {
      stats = fsSync.statSync(abs);
    }
  } catch (err) {
    const code = errorCode(err);
    skip(walk, rel, code === 'ELOOP' ? 'not-a-regular-file' : 'unreadable', code === 'ENOENT' ? 'vanished' : code);
    return;
  }
  if (!stats.isFile()) {
    skip(walk, rel, 'not-a-regular-file', stats.isDirectory() ? 'directory' : 'special file');
    return;
  }
  if (stats.size === 0) return skip(walk, rel, 'empty');
  if (stats.size > walk.maxFileBytes) return skip(walk, rel, 'too-large', `${stats.size} bytes`);
  if (walk.identity && !readable(stats, walk.identity)) return skip(walk, rel, 'unreadable', 'permission denied');
  walk.files.push({ path: rel, absPath: abs, size: stats.size, mtimeMs: stats.mtimeMs });
}

function fileTypeName(entry: Dirent): string {
  if (entry.isFIFO()) return 'FIFO';
  if (entry.isSocket()) return 'socket';
  return 'device';
}

/**
 * A symlink is followed only to a regular file inside the root that is not itself a secret; then
 * its target's stats are returned. Throws only if the target vanishes before its realpath.
 */
function symlinkVerdict(walk: Walk, abs: string): { reason: SkipReason; detail: string } | { target: Stats } {
  let target: Stats;
  try {
    target = fsSync.statSync(abs);
  } catch (err) {
    const code = errorCode(err);
    return { reason: 'not-a-regular-file', detail: code === 'ELOOP' ? 'symlink loop' : code === 'ENOENT' ? 'broken symlink' : code };
  }
  if (target.isDirectory()) return { reason: 'not-a-regular-file', detail: 'symlink to a folder (not followed)' };
  if (!target.isFile()) return { reason: 'not-a-regular-file', detail: 'symlink to a special file' };
  const real = fsSync.realpathSync.native(abs); // realpath(3), as fs.promises.realpath
  const relTarget = path.relative(walk.rootReal, real);
  if (relTarget.startsWith('..') || path.isAbsolute(relTarget)) {
    return { reason: 'not-a-regular-file', detail: 'symlink points outside the folder' };
  }
  if (pathHasSecuritySegment(relTarget.split(path.sep).join('/'))) return { reason: 'security', detail: 'symlink to a protected file' };
  return { target };
}

/** Mode-bit check (POSIX), so unreadable files are reported here rather than failing later; ACLs are not consulted. */
function readable(stats: Stats, me: Identity): boolean {
  if (stats.uid === me.uid) return (stats.mode & 0o400) !== 0;
  if (me.gids.has(stats.gid)) return (stats.mode & 0o040) !== 0;
  return (stats.mode & 0o004) !== 0;
}
