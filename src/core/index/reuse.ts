/**
 * What a process keeps of the generation it opened, so that opening the next generation of the
 * same space (a live update appended one segment and a keyword delta) reads only what changed:
 * the unchanged rows are copied from the open generation's vectors and the keyword postings are
 * the open generation's merged postings plus the new delta — instead of reading and checking
 * the whole vector and postings files again (~0.4 s CPU at 64k chunks on the first search after
 * every update, and the transient copies that kept the host's RSS 1.5× a fresh process's).
 *
 * Only a weak reference is kept here: the opened index holds its `Reusable` strongly, so this
 * costs no memory once the old generation is dropped. Reused data was checked when it was read;
 * the files it came from are immutable (named by generation) and matched by name, length and
 * block hashes, so a space cleared and rebuilt under the same names is never mistaken for it.
 */
import type { KeywordIndex } from '../search/keywordIndex';
import type { FileRef } from './binio';
import type { RowLayout } from './rowLayout';

export interface ReusableRows {
  readonly layout: RowLayout;
  readonly chunkCount: number;
  /** chunkCount × dims, row order; normalised in place once the vector index was built on it. */
  readonly vectors: Float32Array;
  normalized: boolean;
}

export interface ReusableKeyword {
  /** The base postings file, then each segment's delta, in order. */
  readonly files: readonly FileRef[];
  /** Base + every delta absorbed, ids physical rows, nothing removed. Never searched or changed: copied. */
  readonly merged: KeywordIndex;
}

export interface Reusable {
  rows?: ReusableRows;
  keyword?: ReusableKeyword;
}

const opened = new Map<string, WeakRef<Reusable>>();

/** The last generation opened in this process from the space directory `dir`, while it is alive. */

export function previouslyOpened(dir: string): Reusable | undefined {
  return opened.get(dir)?.deref();
}

export function rememberOpened(dir: string, r: Reusable): void {
  opened.set(dir, new WeakRef(r));
}

export function sameFile(a: FileRef, b: FileRef): boolean {
  return a.name === b.name && a.bytes === b.bytes && a.blocks.length === b.blocks.length && a.blocks.every((h, i) => h === b.blocks[i]);
}

/** `prefix` is `files`' beginning. */
export function startsWith(files: readonly FileRef[], prefix: readonly FileRef[]): boolean {
  return prefix.length <= files.length && prefix.every((f, i) => sameFile(f, files[i]));
}
