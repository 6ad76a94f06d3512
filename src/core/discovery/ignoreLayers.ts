/**
 * Ignore files as a stack of layers, one per folder that has one, each matching paths relative to
 * its own folder (gitignore semantics: a nested `.gitignore` speaks about its subtree, and a deeper
 * file's verdict beats a shallower one's).
 */
import ignore, { type Ignore } from 'ignore';

export interface IgnoreLayer {
  /** Folder of the ignore file, relative to the root: `''` or `a/b/`. */
  readonly base: string;
  readonly matcher: Ignore;
  /** The `!pattern` lines (without `!`), to know whether a re-include can reach into an ignored folder. */
  readonly negations: readonly string[];
}

export type Verdict = 'ignored' | 'unignored' | undefined;

export function parseIgnoreFile(base: string, content: string): IgnoreLayer | undefined {
  const lines = content.split(/\r?\n/);
  const patterns = lines.map((l) => l.trimEnd()).filter((l) => l && !l.startsWith('#'));
  if (!patterns.length) return undefined;
  // Case-sensitive like git on Linux/macOS defaults for tracked names in most repos.
  const matcher = ignore({ ignorecase: false }).add(patterns);
  const negations = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return { base, matcher, negations };
}

/**
 * The deepest layer with an opinion on `rel` (a file path, or a folder path ending in `/`) decides.
 * Layers below index `from` are not consulted (as if `layers.slice(from)`, without the copy).
 */
export function verdict(layers: readonly IgnoreLayer[], rel: string, from = 0): Verdict {
  for (let i = layers.length - 1; i >= from; i--) {
    const layer = layers[i];
    const sub = rel.slice(layer.base.length);
    if (!sub) continue;
    const r = layer.matcher.test(sub);
    if (r.ignored) return 'ignored';
    if (r.unignored) return 'unignored';
  }
  return undefined;
}

/**
 * Could a `!pattern` of these layers re-include something below folder `relDir` (`a/b/`)? A cheap,
 * conservative pre-check (the real match is done by `ignore` file by file): a pattern without a
 * slash applies at any depth; one with a slash must agree with the folder's leading segments,
 * where any glob segment counts as agreeing.
 */
export function negationsMayReach(layers: readonly IgnoreLayer[], relDir: string): boolean {
  for (const layer of layers) {
    const dirSegments = relDir.slice(layer.base.length).split('/').filter(Boolean);
    for (const raw of layer.negations) {
      const pattern = raw.replace(/\/+$/, '');
      if (!pattern.includes('/')) return true;
      const segments = pattern.replace(/^\//, '').split('/');
      let agrees = true;
      for (let i = 0; i < Math.min(segments.length, dirSegments.length); i++) {
        if (/[*?[\\]/.test(segments[i])) break;
        if (segments[i] !== dirSegments[i]) {
          agrees = false;
          break;
        }
      }
      if (agrees) return true;
    }
  }
  return false;
}
