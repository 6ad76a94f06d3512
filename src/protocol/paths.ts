/**
 * Path containment for paths that arrive from the webview. Pure string logic (no `node:path`, so
 * the same rules hold on every platform and the function is trivially testable).
 *
 * Rules: no URI schemes (`file:`, `command:`, `vscode:` …), no UNC paths, no `..` segments at all
 * (even ones that would stay inside: there is no legitimate use), no control characters. A relative
 * path is joined to `base`; an absolute one must already lie inside one of `roots`. The result is
 * a file strictly inside a root — the root itself is refused.
 */

/** Drive-letter paths (`c:/x`) compare case-insensitively; POSIX paths exactly. */
function normalizeRoot(root: string): string {
  let r = root.replace(/\\/g, '/');
  if (/^[a-zA-Z]:/.test(r)) r = r[0]!.toLowerCase() + r.slice(1);
  while (r.length > 1 && r.endsWith('/') && !/^[a-z]:\/$/.test(r)) r = r.slice(0, -1);
  return r;
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[a-zA-Z]:\//.test(p);
}

/** Splits into segments, dropping `.` and empty ones; undefined if any segment is `..`. */
function segments(p: string): string[] | undefined {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '..') return undefined;
    if (s === '' || s === '.') continue;
    out.push(s);
  }
  return out;
}

function join(root: string, segs: readonly string[]): string {
  return root.endsWith('/') ? root + segs.join('/') : `${root}/${segs.join('/')}`;
}

function inside(path: string, root: string): boolean {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const caseless = /^[a-z]:/.test(root);
  const p = caseless ? path.toLowerCase() : path;
  const r = caseless ? prefix.toLowerCase() : prefix;
  return p.startsWith(r) && p.length > r.length;
}

/**
 * Resolves `candidate` against the workspace roots. Returns the absolute path with `/`
 * separators if it lies strictly inside a root, otherwise `undefined`.
 * @param candidate a POSIX relative path (joined to `base`) or an absolute path.
 * @param roots the workspace folders' file-system paths.
 * @param base the folder a relative path belongs to; must itself be one of `roots`.
 * @param fsAccess when given, symlinks are resolved and the real location must be inside too.
 */
/** File-system access the caller may lend so symlinks are followed (the webview bundle has none). */
export interface RealpathAccess {
  realpath(path: string): string;
}

/**
 * Where the OS really goes for `abs`: the realpath of its longest existing prefix plus the rest
 * (a file about to be created has no realpath of its own). Undefined when nothing resolves.
 */
function realLocation(abs: string, fsAccess: RealpathAccess): string | undefined {
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = normalizeRoot(fsAccess.realpath(head));
      return tail.length ? join(real, tail) : real;
    } catch {
      const i = head.lastIndexOf('/');
      if (i <= 0) return undefined;
      tail.unshift(head.slice(i + 1));
      head = head.slice(0, i);
    }
  }
}

function insideReal(abs: string, roots: readonly string[], fsAccess: RealpathAccess | undefined): boolean {
  if (!fsAccess) return true;
  const real = realLocation(abs, fsAccess);
  if (real === undefined) return false;
  return roots.some((r) => {
    const realRoot = realLocation(r, fsAccess);
    return realRoot !== undefined && inside(real, realRoot);
  });
}

export function resolveInsideRoots(candidate: unknown, roots: readonly string[], base?: string, fsAccess?: RealpathAccess): string | undefined {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 4096) return undefined;
  if (/[\u0000-\u001f\u007f]/.test(candidate)) return undefined;
  // A scheme is two or more letters before `:` (one letter is a Windows drive).
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(candidate)) return undefined;
  if (/^[\\/]{2}/.test(candidate)) return undefined; // UNC / network paths
  if (/^[a-zA-Z]:(?![\\/])/.test(candidate)) return undefined; // `c:foo` is drive-relative: ambiguous
  const p = candidate.replace(/\\/g, '/');
  const segs = segments(p);
  if (!segs || segs.length === 0) return undefined;
  const normRoots = roots.map(normalizeRoot);
  if (isAbsolute(p)) {
    const drive = /^[a-zA-Z]:\//.test(p) ? p.slice(0, 2).toLowerCase() : '';
    const abs = drive ? join(`${drive}/`, segments(p.slice(2)) ?? []) : join('/', segs);
    return normRoots.some((r) => inside(abs, r)) && insideReal(abs, normRoots, fsAccess) ? abs : undefined;
  }
  if (base === undefined) return undefined;
  const b = normalizeRoot(base);
  if (!normRoots.includes(b)) return undefined;
  const abs = join(b, segs);
  // With file-system access, a symlink inside the workspace that leads outside it is refused too.
  return inside(abs, b) && insideReal(abs, [b], fsAccess) ? abs : undefined;
}
