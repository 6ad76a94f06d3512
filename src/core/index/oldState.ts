/**
 * The committed generation a run starts from. Opening it reads and checks the small files (the
 * chunk table, the row map, the prefix file and the offline model); vector rows are checked as
 * they are read (segments.ts), and the keyword postings only when a full write needs them — so a
 * live update at 100k × 1024-d no longer hashes the whole 400 MB vector file first.
 */
import type { KeywordIndex } from '../search/keywordIndex';
import type { ChunkInfo } from '../types';
import fs from 'node:fs';
import path from 'node:path';
import { DAMAGED_NAME, readFileVerified, verifyAllBlocks, verifySampledBlocks } from './binio';
import type { Manifest } from './manifest';
import { decodePrefix } from './prefixFile';
import { RowLayout } from './rowLayout';
import { SegmentReader, mergedKeywordIndex } from './segments';
import type { IndexStore } from './store';

export interface OldState {
  readonly manifest: Manifest;
  readonly chunks: ChunkInfo[];
  /** The verified chunk table `chunks` came from. */
  readonly chunkTable: Uint8Array;
  readonly layout: RowLayout;
  /** Verified reads of its rows (chunk-row numbering, extras after them). */
  readonly reader: SegmentReader;
  /** Its keyword postings with chunk rows as ids (read and verified on first call). */
  keywordIndex(): KeywordIndex;
}

/** Throws IndexCorruptError (or another error) when a file it reads is damaged. */
export function openOldState(store: IndexStore, manifest: Manifest): { state: OldState; model?: Uint8Array } {
  const dir = store.spaceDir(manifest.fingerprint.embedder);
  const meta = store.loadMeta(manifest, true, false);
  // What openIndex checks (lengths, sampled blocks; the postings whole), so an index it calls
  // damaged is rebuilt here; every block once a reader found damage late (binio.noteDamage).
  const d = manifest.data;
  const vectorFiles = [d.vectors, ...(d.segments ?? []).map((s) => s.vectors)];
  const keywordFiles = [...(d.keyword ? [d.keyword] : []), ...(d.segments ?? []).map((s) => s.keyword)];
  const damaged = fs.existsSync(path.join(dir, DAMAGED_NAME));
  for (const f of vectorFiles) (damaged ? verifyAllBlocks : verifySampledBlocks)(dir, f);
  for (const f of keywordFiles) verifyAllBlocks(dir, f);
  const layout = RowLayout.of(dir, manifest);
  let crcs: Uint32Array | undefined;
  if (meta.prefix) {
    const p = decodePrefix(meta.prefix);
    if (p.rows === manifest.chunkCount) crcs = p.crcs;
  }
  const reader = new SegmentReader(dir, layout, crcs);
  const keyword = manifest.data.keyword;
  const state: OldState = {
    manifest, chunks: meta.chunks, chunkTable: meta.chunkTable, layout, reader,
    keywordIndex: () => {
      if (!keyword) throw new Error('internal: a generation without keyword postings cannot be extended');
      return mergedKeywordIndex(dir, manifest, readFileVerified(dir, keyword), layout);
    },
  };
  return { state, model: meta.model };
}
