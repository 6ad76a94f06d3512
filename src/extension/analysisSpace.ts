/**
 * One "analysis space" over the workspace's folders: which `AnalysisInput`s the core analyses run
 * on, and how their paths map back to (folder, path) refs. Pure (no `vscode`), so it is unit-tested.
 *
 * - Single folder: one part, paths as the index has them.
 * - Multi-root: every path is prefixed with its folder's name (`api/src/a.ts`), so topics, reports
 *   and QuickPicks say where a file lives. Folders whose vectors are comparable (same remote model,
 *   same dims) are MERGED into one input, so topics, related files and duplicates cross folders.
 *   Offline vectors are not comparable across folders (each folder learns its own LSA basis), so
 *   offline folders stay separate parts and results are concatenated.
 */
import type { AnalysisInput } from '../core/engineTypes';
import type { ChunkInfo } from '../core/types';

export interface FolderInput {
  /** The folder's key (its URI string). */
  readonly key: string;
  readonly name: string;
  /** The embedder label from `engine.status()` (model + dims): merging needs identical ones. */
  readonly label: string;
  readonly input: AnalysisInput;
}

export interface SpacePart {
  readonly input: AnalysisInput;
  /** Keys of the folders in this part (one, unless merged). */
  readonly folders: readonly string[];
}

export interface SpaceRef {
  readonly folder: string;
  readonly path: string;
}

export interface AnalysisSpace {
  readonly parts: readonly SpacePart[];
  readonly multiRoot: boolean;
  /** The path a folder's file has in this space ('' prefix in a single-folder workspace). */
  display(folderKey: string, path: string): string;
  /** Back from a display path to the folder and its relative path. */
  toRef(displayPath: string): SpaceRef | undefined;
  /** Notes globs adjusted for the folder-name prefixes (anchored globs get the prefix). */
  globs(globs: readonly string[]): string[];
}

/** Display prefixes: the folder names, made unique (`docs`, `docs (2)`) so paths never collide. */
function uniqueNames(folders: readonly FolderInput[]): string[] {
  const seen = new Map<string, number>();
  return folders.map((f) => {
    const base = f.name.replace(/\//g, '_') || 'folder';
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

/**
 * gitignore-style globs re-rooted under each prefix: a pattern containing a `/` (other than a
 * trailing one) is anchored to the folder root, so `notes/**` must become `<name>/notes/**`;
 * unanchored ones (`*.md`, `**∕*.md`) match at any depth already.
 */
export function prefixGlobs(globs: readonly string[], prefixes: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of globs) {
    const negated = raw.startsWith('!');
    const g = negated ? raw.slice(1) : raw;
    const anchored = g.replace(/\/$/, '').includes('/') && !g.startsWith('**/');
    if (!anchored) {
      out.push(raw);
      continue;
    }
    for (const p of prefixes) out.push(`${negated ? '!' : ''}${p}/${g.replace(/^\//, '')}`);
  }
  return [...new Set(out)];
}

/** The input with every chunk's path rewritten; `readText` gets the original chunk (or path) back. */
function repath(parts: readonly { input: AnalysisInput; prefix: string }[]): AnalysisInput {
  const chunks: ChunkInfo[] = [];
  const origin = new Map<ChunkInfo, { input: AnalysisInput; chunk: ChunkInfo }>();
  // Any other span of a known file (a whole note, as Find Duplicates reads it) maps by its path.
  const files = new Map<string, { input: AnalysisInput; path: string }>();
  for (const { input, prefix } of parts) {
    for (const c of input.chunks) {
      const copy = prefix ? { ...c, path: `${prefix}/${c.path}` } : c;
      chunks.push(copy);
      origin.set(copy, { input, chunk: c });
      if (!files.has(copy.path)) files.set(copy.path, { input, path: c.path });
    }
  }
  const dims = parts[0]!.input.dims;
  let vectors: Float32Array;
  if (parts.length === 1) vectors = parts[0]!.input.vectors;
  else {
    vectors = new Float32Array(chunks.length * dims);
    let offset = 0;
    for (const { input } of parts) {
      vectors.set(input.vectors.subarray(0, input.chunks.length * dims), offset);
      offset += input.chunks.length * dims;
    }
  }
  return {
    chunks,
    vectors,
    dims,
    provider: parts[0]!.input.provider,
    readText: async (chunk) => {
      const o = origin.get(chunk);
      if (o) return o.input.readText(o.chunk);
      const f = files.get(chunk.path);
      return f ? f.input.readText({ ...chunk, path: f.path }) : undefined;
    },
  };
}

const comparable = (a: FolderInput, b: FolderInput): boolean =>
  a.input.provider !== 'offline' && a.input.provider === b.input.provider && a.input.dims === b.input.dims && a.label === b.label;

export function buildSpace(folders: readonly FolderInput[]): AnalysisSpace {
  const multiRoot = folders.length > 1;
  const names = multiRoot ? uniqueNames(folders) : folders.map(() => '');
  const prefixOf = new Map(folders.map((f, i) => [f.key, names[i]!]));
  const keyOf = new Map(folders.map((f, i) => [names[i]!, f.key]));

  // Group comparable folders (first-fit: folders rarely disagree, and when they do groups stay small).
  const groups: number[][] = [];
  folders.forEach((f, i) => {
    const g = groups.find((grp) => comparable(folders[grp[0]!]!, f));
    if (g) g.push(i);
    else groups.push([i]);
  });
  const parts: SpacePart[] = groups.map((g) => ({
    input: repath(g.map((i) => ({ input: folders[i]!.input, prefix: names[i]! }))),
    folders: g.map((i) => folders[i]!.key),
  }));

  return {
    parts,
    multiRoot,
    display: (folderKey, path) => {
      const prefix = prefixOf.get(folderKey);
      return prefix ? `${prefix}/${path}` : path;
    },
    toRef: (displayPath) => {
      if (!multiRoot) return folders[0] ? { folder: folders[0].key, path: displayPath } : undefined;
      // Names may contain spaces or "(2)" but never a slash, so the first segment is the prefix.
      const slash = displayPath.indexOf('/');
      const key = slash > 0 ? keyOf.get(displayPath.slice(0, slash)) : undefined;
      return key ? { folder: key, path: displayPath.slice(slash + 1) } : undefined;
    },
    globs: (globs) => (multiRoot ? prefixGlobs(globs, names) : [...globs]),
  };
}
