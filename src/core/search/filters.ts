/**
 * Search filters → an `allow(id)` predicate over chunk metadata. Path globs use gitignore syntax
 * through the `ignore` package (the same semantics as .gitignore / .semanticignore elsewhere):
 * `*.md` matches at any depth, `src/core/` a folder, `!` re-includes. Several patterns may be given
 * separated by commas or new lines.
 */
import ignore from 'ignore';
import type { ChunkInfo, SearchFilter } from '../types';

export type ChunkLookup = (id: number) => ChunkInfo | undefined;

/** `undefined` when the filter lets everything through (callers can then skip the check). */
export function makeAllow(filter: SearchFilter | undefined, chunkOf: ChunkLookup): ((id: number) => boolean) | undefined {
  if (!filter) return undefined;
  const kind = filter.kind;
  const language = filter.language?.trim().toLowerCase() || undefined;
  const pathMatches = filter.pathGlob?.trim() ? compilePathGlob(filter.pathGlob) : undefined;
  if (!kind && !language && !pathMatches) return undefined;
  return (id) => {
    const c = chunkOf(id);
    if (!c) return false;
    if (kind && c.kind !== kind) return false;
    if (language && c.language.toLowerCase() !== language) return false;
    return !pathMatches || pathMatches(c.path);
  };
}

/** A path predicate for gitignore-style patterns; results are cached per path (chunks share files). */
export function compilePathGlob(glob: string): (path: string) => boolean {
  const patterns = glob.split(/[,\n]/).map((p) => p.trim()).filter(Boolean);
  const matcher = ignore().add(patterns);
  const cache = new Map<string, boolean>();
  return (path) => {
    let hit = cache.get(path);
    if (hit === undefined) {
      const rel = path.replace(/^\.?\/+/, '');
      try {
        hit = rel !== '' && matcher.ignores(rel);
      } catch {
        hit = false; // `ignore` rejects paths that are not relative; such a path matches nothing
      }
      cache.set(path, hit);
    }
    return hit;
  };
}
