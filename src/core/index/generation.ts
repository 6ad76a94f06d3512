/**
 * Writes the next generation of a space and commits it. A live update appends a segment
 * (appendGeneration.ts). A full write — the first build, a rebuild, or a compaction when the
 * tombstones or segments pile up — writes chunk rows in file order (row i of the vector file
 * belongs to chunk i, so a loaded index is usable without any gather), then the
 * cached-but-unreferenced vectors ("extras"), the int8 prefix of the chunk rows (prefixFile.ts;
 * copied from the previous generation for rows that did not change), the chunk table, the
 * keyword postings (the old ones remapped, plus the new chunks) and the offline model; manifest last.
 */
import { KeywordIndex } from '../search/keywordIndex';
import type { ChunkInfo } from '../types';
import { crashPoint, writeDurable, type FileRef } from './binio';
import { planAppend, writeAppend } from './appendGeneration';
import { encodeChunkTable, patchChunkTable } from './chunkTable';
import { addChunkPostings, type EmbedTerms, type KeywordTerms } from './keywordRows';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type SegmentRef, type SpaceFingerprint } from './manifest';
import type { OldState } from './oldState';
import type { VectorLookup } from './journal';
import { PrefixBuilder, decodePrefix, storedPrefixWidth, type PrefixData } from './prefixFile';
import type { ScannedFile } from './scan';
import { VectorFileWriter, type IndexStore } from './store';
import { pacer, type Pacer } from '../text/pace';

export type { OldState } from './oldState';

export type PlannedFile =
  /** Rows copied from the committed generation (unchanged, or changed but not embedded yet). */
  | { readonly kind: 'old'; readonly oldIndex: number; readonly size: number; readonly mtimeMs: number }
  | { readonly kind: 'new'; readonly file: ScannedFile };

export interface GenerationInput {
  readonly store: IndexStore;
  readonly fingerprint: SpaceFingerprint;
  readonly old?: OldState;
  /** Sorted by path. */
  readonly files: PlannedFile[];
  readonly extras: string[];
  /** Vectors of this run (embedded or from the journal). */
  readonly fresh: VectorLookup;
  /** Rows of the committed generation by hash (only when they are in the same vector space). */
  readonly oldRows: Map<string, number>;
  readonly model?: { readonly basisId: string; readonly bytes: Uint8Array };
  readonly complete: boolean;
  /** Rebuild: the keyword postings are rebuilt from scratch (every file is 'new'). */
  readonly rebuild: boolean;
  /** `tokenize(embedText)` when the embedder kept it (saves the keyword index a tokenization). */
  readonly embedTerms?: EmbedTerms;
  readonly keywordTerms?: KeywordTerms;
  /**
   * Postings built while the files arrived (`addChunkPostings`, rows 0.. in file order): used only
   * for a rebuild whose new rows are exactly those, else the postings are built here as usual.
   */
  readonly keyword?: { readonly index: KeywordIndex; readonly rows: number };
  /** Force a full write (compaction) even when a segment could be appended. */
  readonly compact?: boolean;
}

const oldPath = (old: OldState, i: number) => old.manifest.files.paths[i];

export function filePath(f: PlannedFile, old: OldState | undefined): string {
  return f.kind === 'new' ? f.file.path : oldPath(old as OldState, f.oldIndex);
}

export async function writeGeneration(g: GenerationInput): Promise<Manifest> {
  // Runs on the extension host's thread: long loops give the event loop a turn every slice.
  const pace = pacer();
  const { store, old } = g;
  const dims = g.fingerprint.dimensions;
  const dir = store.ensureSpaceDir(g.fingerprint.embedder);
  const gen = (old?.manifest.generation ?? 0) + 1;
  const oldFirst = old ? firstRows(old.manifest.files.counts) : [];

  const files = { paths: [] as string[], sizes: [] as number[], mtimes: [] as number[], hashes: [] as string[], counts: [] as number[] };
  const chunks: ChunkInfo[] = [];
  /** Per new row: old row to copy (>= 0), or -1 when the vector comes from `fresh`. */
  const source: number[] = [];
  const oldToNew = new Int32Array(old?.manifest.chunkCount ?? 0).fill(-1);
  const added: { row: number; chunk: ScannedFile['chunks'][number] }[] = [];
  for (const f of g.files) {
    if (f.kind === 'old') {
      const o = old as OldState;
      const first = oldFirst[f.oldIndex], count = o.manifest.files.counts[f.oldIndex];
      files.paths.push(oldPath(o, f.oldIndex));
      files.sizes.push(f.size);
      files.mtimes.push(f.mtimeMs);
      files.hashes.push(o.manifest.files.hashes[f.oldIndex]);
      files.counts.push(count);
      for (let r = first; r < first + count; r++) {
        oldToNew[r] = chunks.length;
        source.push(r);
        chunks.push(o.chunks[r]);
      }
    } else {
      const s = f.file;
      files.paths.push(s.path);
      files.sizes.push(s.size);
      files.mtimes.push(s.mtimeMs);
      files.hashes.push(s.hash);
      files.counts.push(s.chunks.length);
      for (const c of s.chunks) {
        added.push({ row: chunks.length, chunk: c });
        source.push(g.fresh.has(c.hash) ? -1 : (g.oldRows.get(c.hash) ?? -2));
        chunks.push(toInfo(c));
      }
    }
  }
  if (source.includes(-2)) throw new Error('internal: a committed chunk has no vector');

  // Same rows as the committed generation (e.g. only mtimes moved): reuse its immutable files.
  const sameRows = !!old && added.length === 0 && chunks.length === old.manifest.chunkCount && !(g.compact && old.layout.segmented) &&
    source.every((r, i) => r === i) && sameList(g.extras, old.manifest.extraHashes);

  const width = storedPrefixWidth(dims, chunks.length);
  const oldPrefix = old && width > 0 ? usablePrefix(store, old.manifest, width) : undefined;
  const prefixName = `prefix-${gen}.i8`;
  let vectors: FileRef, chunkRef: FileRef, keyword: FileRef | undefined, prefix: FileRef | undefined;
  let segments: SegmentRef[] | undefined, rows: FileRef | undefined;
  // A live update appends a segment unless a compaction is due (planAppend says when).
  const plan = old && !sameRows && !g.rebuild && !g.compact && old.manifest.data.keyword
    ? planAppend({ old, chunks, source, added, extras: g.extras, oldRows: g.oldRows }) : undefined;
  if (sameRows && old) {
    ({ vectors, chunks: chunkRef, keyword, segments, rows } = old.manifest.data);
    if (width > 0) prefix = oldPrefix ? old.manifest.data.prefix : writeDurable(dir, prefixName, [prefixOfRows(old, dims, width)]);
  } else if (plan && old) {
    ({ vectors, keyword } = old.manifest.data);
    ({ segments, rows, prefix } = await writeAppend({
      dir, gen, old, chunks, source, added, extras: g.extras, fresh: g.fresh, oldRows: g.oldRows, width, oldPrefix, embedTerms: g.embedTerms, pace,
    }, plan));
    const table = patchChunkTable(old.chunkTable, chunks, source, new Set(added.map((a) => a.row))) ?? encodeChunkTable(chunks);
    chunkRef = writeDurable(dir, `chunks-${gen}.bin`, [table]);
  } else {
    const builder = width > 0 ? new PrefixBuilder(chunks.length, dims, width) : undefined;
    vectors = await writeVectors(dir, `vectors-${gen}.f32`, dims, source, g, chunks, builder, oldPrefix, pace);
    crashPoint('full-vectors-written');
    if (builder) prefix = writeDurable(dir, prefixName, [builder.finish()]);
    chunkRef = writeDurable(dir, `chunks-${gen}.bin`, [encodeChunkTable(chunks)]);
    const early = g.keyword && g.rebuild && g.keyword.rows === chunks.length && added.every((a, i) => a.row === i) ? g.keyword.index : undefined;
    const extend = !early && !!old?.manifest.data.keyword && !g.rebuild;
    const kw = early ?? (old && extend ? old.keywordIndex() : KeywordIndex.empty());
    if (extend) kw.remap(oldToNew);
    for (const a of early ? [] : added) {
      if (pace.due()) await pace.pause();
      addChunkPostings(kw, a.row, a.chunk, g.embedTerms, g.keywordTerms);
    }
    keyword = writeDurable(dir, `keyword-${gen}.bin`, [kw.serialize()]);
  }
  let model: FileRef | undefined;
  if (g.model) {
    const name = `model-${g.model.basisId}.bin`;
    model = old?.manifest.data.model?.name === name ? old.manifest.data.model : writeDurable(dir, name, [g.model.bytes]);
  }
  const now = new Date().toISOString();
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    fingerprint: g.fingerprint,
    generation: gen,
    createdAt: !g.rebuild && old ? old.manifest.createdAt : now,
    updatedAt: now,
    complete: g.complete,
    chunkCount: chunks.length,
    extraHashes: g.extras,
    files,
    data: {
      vectors, chunks: chunkRef, ...(keyword ? { keyword } : {}), ...(model ? { model } : {}), ...(prefix ? { prefix } : {}),
      ...(segments && rows ? { segments, rows } : {}),
    },
  };
  store.commit(manifest);
  return manifest;
}

/**
 * The previous generation's prefix, when it can be copied from: verified (by `loadMeta`, which
 * the indexer ran on it) and of the same width. Anything else is recomputed from the rows.
 */
function usablePrefix(store: IndexStore, manifest: Manifest, width: number): PrefixData | undefined {
  try {
    const bytes = store.prefixOf(manifest);
    const p = bytes && decodePrefix(bytes);
    return p && p.width === width && p.rows === manifest.chunkCount && p.dims === manifest.fingerprint.dimensions ? p : undefined;
  } catch {
    return undefined;
  }
}

/** The prefix file of the committed rows (an index written before prefix files existed). */
function prefixOfRows(old: OldState, dims: number, width: number): Uint8Array {
  const n = old.manifest.chunkCount;
  const builder = new PrefixBuilder(n, dims, width);
  for (let first = 0; first < n; first += 4096) {
    const count = Math.min(4096, n - first);
    const rows = old.reader.readRows(first, count);
    for (let k = 0; k < count; k++) builder.compute(first + k, rows, k * dims);
  }
  return builder.finish();
}

async function writeVectors(
  dir: string, name: string, dims: number, source: number[], g: GenerationInput, chunks: ChunkInfo[],
  prefix: PrefixBuilder | undefined, oldPrefix: PrefixData | undefined, pace: Pacer,
): Promise<FileRef> {
  const w = new VectorFileWriter(dir, name);
  try {
    // Consecutive old rows are copied in runs (one positioned read per ≤ 4096 rows).
    for (let i = 0; i < source.length;) {
      if (pace.due()) await pace.pause();
      if (source[i] >= 0) {
        let j = i + 1;
        while (j < source.length && j - i < 4096 && source[j] === source[j - 1] + 1) j++;
        const rows = (g.old as OldState).reader.readRows(source[i], j - i);
        if (prefix) {
          for (let k = 0; k < j - i; k++) {
            // Old chunk rows have a stored prefix; old extras (now referenced again) do not.
            if (oldPrefix && source[i + k] < oldPrefix.rows) prefix.copy(i + k, oldPrefix, source[i + k]);
            else prefix.compute(i + k, rows, k * dims);
          }
        }
        w.write(rows);
        i = j;
      } else {
        const v = g.fresh.get(chunks[i].hash) as Float32Array;
        prefix?.compute(i, v, 0);
        w.write(v);
        i++;
      }
    }
    for (const h of g.extras) {
      const v = g.fresh.get(h);
      if (v) w.write(v);
      else w.write((g.old as OldState).reader.readRows(g.oldRows.get(h) as number, 1));
    }
    const ref = w.finish();
    if (ref.bytes !== (chunks.length + g.extras.length) * dims * 4) throw new Error('internal: vector file has the wrong length');
    return ref;
  } catch (e) {
    w.abort();
    throw e;
  }
}

function toInfo(c: ChunkInfo): ChunkInfo {
  return {
    path: c.path, startLine: c.startLine, endLine: c.endLine,
    ...(c.startColumn !== undefined && c.endColumn !== undefined ? { startColumn: c.startColumn, endColumn: c.endColumn } : {}),
    kind: c.kind, language: c.language, symbol: c.symbol, hash: c.hash, tokens: c.tokens,
  };
}

export function firstRows(counts: readonly number[]): number[] {
  const out: number[] = [];
  let acc = 0;
  for (const c of counts) {
    out.push(acc);
    acc += c;
  }
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
