/**
 * The local overlay of remote search: files whose content in this clone's index differs from the
 * snapshot (uncommitted edits, new files) are answered from the local index, and files the clone
 * deleted or changed are left out of the snapshot's answer. Dense candidates of both are cosines
 * of the same embedder, so they merge by score; keyword candidates merge by BM25F score (the local
 * statistics differ from the snapshot's only by the changed files).
 */
import type { OpenedIndex } from '../index/open';
import { searchHybrid } from '../search/hybrid';
import type { ChunkInfo, SearchFilter } from '../types';

export interface OverlayHit {
  readonly chunk: ChunkInfo;
  readonly score: number;
  readonly terms: readonly string[];
}

export interface Overlay {
  /** Snapshot paths to leave out: changed or deleted in this clone. */
  readonly hidden: readonly string[];
  /** Paths answered locally (changed or new here). */
  readonly local: ReadonlySet<string>;
}

/** Compares the clone's indexed files with the snapshot's (both hash the file text the same way). */
export function overlayOf(local: OpenedIndex | undefined, snapshotFiles: ReadonlyMap<string, string>): Overlay | undefined {
  if (!local || !local.complete) return undefined;
  const mine = new Map(local.files.map((f) => [f.path, f.hash]));
  const hidden: string[] = [];
  const here = new Set<string>();
  for (const [p, h] of snapshotFiles) if (mine.get(p) !== h) hidden.push(p);
  for (const [p, h] of mine) if (snapshotFiles.get(p) !== h) here.add(p);
  return hidden.length || here.size ? { hidden, local: here } : undefined;
}

/** Local keyword and dense candidates among the overlay's paths. */
export function overlayCandidates(local: OpenedIndex, overlay: Overlay, query: string, queryVector: Float32Array | undefined, depth: number, filter?: SearchFilter): { keyword: OverlayHit[]; dense: OverlayHit[] } {
  if (overlay.local.size === 0) return { keyword: [], dense: [] };
  const chunks = local.chunks;
  const allow = (id: number) => overlay.local.has(chunks[id]?.path ?? '');
  const keyword = searchHybrid({ keyword: local.keywordIndex(), chunks, query, mode: 'keyword', topK: depth, filter, allow })
    .map((h) => ({ chunk: h.chunk, score: h.score, terms: h.why.terms }));
  const dense = queryVector && chunks.length
    ? searchHybrid({ keyword: local.keywordIndex(), vector: local.vectorIndex(), chunks, query, queryVector, mode: 'dense', topK: depth, filter, allow })
      .map((h) => ({ chunk: h.chunk, score: h.score, terms: [] as string[] }))
    : [];
  return { keyword, dense };
}
