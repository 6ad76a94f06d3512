/**
 * A live update's generation: instead of rewriting the vector file and the keyword postings,
 * append one segment (`vseg-<gen>.f32`: the rows of the new or changed chunks, plus newly paid
 * extras) and its keyword delta (`kdelta-<gen>.bin`: postings of those rows only), and write a
 * new row map (`rows-<gen>.u32`). Rows of removed or changed chunks become tombstones (physical
 * rows nothing maps to). The chunk table and the prefix file are rewritten: both are small
 * (~40 B and ~264 B per row) next to the vectors (4 KB per row at 1024-d).
 *
 * When tombstones would pass COMPACT_DEAD_FRACTION of the rows, or the segments MAX_SEGMENTS,
 * the caller compacts instead: a full write (generation.ts) where row i is physical row i again.
 */
import { KeywordIndex } from '../search/keywordIndex';
import type { ChunkInfo } from '../types';
import { crashPoint, writeDurable, type FileRef } from './binio';
import { addChunkPostings, type EmbedTerms } from './keywordRows';
import type { SegmentRef } from './manifest';
import type { OldState } from './oldState';
import type { VectorLookup } from './journal';
import { PrefixBuilder, type PrefixData } from './prefixFile';
import { encodeU32 } from './rowLayout';
import type { ScannedFile } from './scan';
import { VectorFileWriter } from './store';
import type { Pacer } from '../text/pace';

/** Tombstoned rows beyond this share of the live rows trigger a compaction. */
export const COMPACT_DEAD_FRACTION = 0.15;
/** Segments beyond this trigger a compaction (each costs a file and a delta merge at load). */
export const MAX_SEGMENTS = 64;

export interface AppendInput {
  readonly dir: string;
  readonly gen: number;
  readonly old: OldState;
  readonly chunks: readonly ChunkInfo[];
  /** Per row: old row to copy (>= 0), or -1 when the vector comes from `fresh`. */
  readonly source: readonly number[];
  readonly added: readonly { readonly row: number; readonly chunk: ScannedFile['chunks'][number] }[];
  readonly extras: readonly string[];
  readonly fresh: VectorLookup;
  readonly oldRows: ReadonlyMap<string, number>;
  /** Prefix width (0: no prefix file) and the previous prefix when it can be copied from. */
  readonly width: number;
  readonly oldPrefix?: PrefixData;
  readonly embedTerms?: EmbedTerms;
  readonly pace: Pacer;
}

export interface AppendPlan {
  readonly phys: Uint32Array;
  readonly first: number;
  readonly total: number;
  /** Extras whose vectors are appended (indices into `extras`). */
  readonly freshExtras: readonly number[];
}

/** Physical rows of the next generation, or undefined when it should be compacted instead. */
export function planAppend(a: Pick<AppendInput, 'old' | 'chunks' | 'source' | 'added' | 'extras' | 'oldRows'>): AppendPlan | undefined {
  const { old, chunks } = a;
  if ((old.manifest.data.segments?.length ?? 0) >= MAX_SEGMENTS) return undefined;
  const layout = old.layout;
  const first = layout.total;
  let next = first;
  const phys = new Uint32Array(chunks.length + a.extras.length);
  const isAdded = new Uint8Array(chunks.length);
  for (const x of a.added) isAdded[x.row] = 1;
  // New and changed chunks always get a row of their own (keyword ids are physical rows), even
  // when their vector is reused: it is copied, 4 KB, rather than shared.
  for (let i = 0; i < chunks.length; i++) phys[i] = isAdded[i] ? next++ : layout.physical(a.source[i]);
  const freshExtras: number[] = [];
  a.extras.forEach((h, k) => {
    const r = a.oldRows.get(h);
    if (r !== undefined) phys[chunks.length + k] = layout.physical(r);
    else {
      phys[chunks.length + k] = next++;
      freshExtras.push(k);
    }
  });
  const used = new Uint8Array(next);
  let live = 0;
  for (const p of phys) if (!used[p]) {
    used[p] = 1;
    live++;
  }
  if (next - live > COMPACT_DEAD_FRACTION * Math.max(live, 1)) return undefined;
  return { phys, first, total: next, freshExtras };
}

export async function writeAppend(a: AppendInput, plan: AppendPlan): Promise<{ segments: SegmentRef[]; rows: FileRef; prefix?: FileRef }> {
  const { old, chunks, pace, dir, gen } = a;
  const dims = old.manifest.fingerprint.dimensions;
  const segments = [...(old.manifest.data.segments ?? [])];
  const prefix = a.width > 0 ? new PrefixBuilder(chunks.length, dims, a.width) : undefined;
  const vectorOf = (row: number): Float32Array => {
    const s = a.source[row];
    return s < 0 ? (a.fresh.get(chunks[row].hash) as Float32Array) : old.reader.readRows(s, 1);
  };
  if (plan.total > plan.first) {
    const w = new VectorFileWriter(dir, `vseg-${gen}.f32`);
    const kw = KeywordIndex.empty();
    try {
      for (const x of a.added) {
        if (pace.due()) await pace.pause();
        const v = vectorOf(x.row);
        w.write(v);
        prefix?.compute(x.row, v, 0);
        addChunkPostings(kw, plan.phys[x.row] - plan.first, x.chunk, a.embedTerms);
      }
      for (const k of plan.freshExtras) w.write(a.fresh.get(a.extras[k]) as Float32Array);
      const vectors = w.finish();
      crashPoint('append-segment-written');
      if (vectors.bytes !== (plan.total - plan.first) * dims * 4) throw new Error('internal: segment has the wrong length');
      segments.push({ vectors, keyword: writeDurable(dir, `kdelta-${gen}.bin`, [kw.serialize()]), first: plan.first });
    } catch (e) {
      w.abort();
      throw e;
    }
  }
  let prefixRef: FileRef | undefined;
  if (prefix) {
    const isAdded = new Uint8Array(chunks.length);
    for (const x of a.added) isAdded[x.row] = 1;
    const op = a.oldPrefix;
    for (let i = 0; i < chunks.length;) {
      if (pace.due()) await pace.pause();
      if (isAdded[i]) {
        i++;
        continue;
      }
      if (op && a.source[i] < op.rows) {
        let j = i + 1;
        while (j < chunks.length && !isAdded[j] && a.source[j] === a.source[j - 1] + 1 && a.source[j] < op.rows) j++;
        prefix.copyRun(i, op, a.source[i], j - i);
        i = j;
        continue;
      }
      // No usable prefix (first generation past the two-stage size): computed from the rows.
      let j = i + 1;
      while (j < chunks.length && j - i < 4096 && !isAdded[j] && a.source[j] === a.source[j - 1] + 1) j++;
      const rows = old.reader.readRows(a.source[i], j - i);
      for (let k = 0; k < j - i; k++) prefix.compute(i + k, rows, k * dims);
      i = j;
    }
    prefixRef = writeDurable(dir, `prefix-${gen}.i8`, [prefix.finish()]);
  }
  const rows = writeDurable(dir, `rows-${gen}.u32`, [encodeU32(plan.phys)]);
  return { segments, rows, ...(prefixRef ? { prefix: prefixRef } : {}) };
}
