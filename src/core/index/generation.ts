/**
 * Writes the next generation of a space and commits it: chunk rows in file order (row i of the
 * vector file belongs to chunk i, so a loaded index is usable without any gather), then the
 * cached-but-unreferenced vectors ("extras"), the int8 prefix of the chunk rows (prefixFile.ts;
 * copied from the previous generation for rows that did not change), the chunk table, the
 * keyword postings (the old ones remapped, plus the new chunks) and the offline model; manifest last.
 */
import { KeywordIndex } from '../search/keywordIndex';
import { tokenize } from '../text/tokenize';
import type { CountedTerms } from '../text/termPack';
import type { ChunkInfo } from '../types';
import { writeDurable, type FileRef } from './binio';
import { encodeChunkTable } from './chunkTable';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type SpaceFingerprint } from './manifest';
import { PrefixBuilder, decodePrefix, storedPrefixWidth, type PrefixData } from './prefixFile';
import type { ScannedFile } from './scan';
import { VectorFileWriter, type IndexStore, type VectorFileReader } from './store';
import { scrubSecrets } from '../security/scrub';
import { pacer, type Pacer } from '../text/pace';

/** The committed generation a run starts from (verified). */
export interface OldState {
  readonly manifest: Manifest;
  readonly chunks: ChunkInfo[];
  readonly keyword?: Uint8Array;
  readonly reader: VectorFileReader;
}

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
  readonly fresh: Map<string, Float32Array>;
  /** Rows of the committed generation by hash (only when they are in the same vector space). */
  readonly oldRows: Map<string, number>;
  readonly model?: { readonly basisId: string; readonly bytes: Uint8Array };
  readonly complete: boolean;
  /** Rebuild: the keyword postings are rebuilt from scratch (every file is 'new'). */
  readonly rebuild: boolean;
  /** `tokenize(embedText)` when the embedder kept it (saves the keyword index a tokenization). */
  readonly embedTerms?: (embedText: string) => readonly string[] | undefined;
  /** The keyword terms of a chunk's text counted by a chunk worker (tried before `embedTerms`). */
  readonly keywordTerms?: (embedText: string) => CountedTerms | undefined;
  /**
   * Postings built while the files arrived (`addKeywordChunk`, rows 0.. in file order): used only
   * for a rebuild whose new rows are exactly those, else the postings are built here as usual.
   */
  readonly keyword?: { readonly index: KeywordIndex; readonly rows: number };
}

type KeywordTermSources = Pick<GenerationInput, 'embedTerms' | 'keywordTerms'>;

/** Indexes one chunk's postings: from the scrubbed text (a secret must not sit in the local index either). */
export function addKeywordChunk(kw: KeywordIndex, row: number, c: ScannedFile['chunks'][number], t: KeywordTermSources): void {
  const text = c.embedText.endsWith(c.text) ? c.text : scrubSecrets(c.text).text;
  kw.add(row, { text, symbol: c.symbol, path: c.path }, t.keywordTerms?.(c.embedText) ?? (t.embedTerms && textTerms(c.embedText, text, t.embedTerms)));
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
  const sameRows = !!old && added.length === 0 && chunks.length === old.manifest.chunkCount &&
    source.every((r, i) => r === i) && sameList(g.extras, old.manifest.extraHashes);

  const width = storedPrefixWidth(dims, chunks.length);
  const oldPrefix = old && width > 0 ? usablePrefix(store, old.manifest, width) : undefined;
  const prefixName = `prefix-${gen}.i8`;
  let vectors: FileRef, chunkRef: FileRef, keyword: FileRef | undefined, prefix: FileRef | undefined;
  if (sameRows && old) {
    ({ vectors, chunks: chunkRef, keyword } = old.manifest.data);
    if (width > 0) prefix = oldPrefix ? old.manifest.data.prefix : writeDurable(dir, prefixName, [prefixOfRows(old, dims, width)]);
  } else {
    const builder = width > 0 ? new PrefixBuilder(chunks.length, dims, width) : undefined;
    vectors = await writeVectors(dir, `vectors-${gen}.f32`, dims, source, g, chunks, builder, oldPrefix, pace);
    if (builder) prefix = writeDurable(dir, prefixName, [builder.finish()]);
    chunkRef = writeDurable(dir, `chunks-${gen}.bin`, [encodeChunkTable(chunks)]);
    const early = g.keyword && g.rebuild && g.keyword.rows === chunks.length && added.every((a, i) => a.row === i) ? g.keyword.index : undefined;
    const kw = early ?? (old?.keyword && !g.rebuild ? KeywordIndex.deserialize(old.keyword) : KeywordIndex.empty());
    if (!early && old?.keyword && !g.rebuild) kw.remap(oldToNew);
    for (const a of early ? [] : added) {
      if (pace.due()) await pace.pause();
      addKeywordChunk(kw, a.row, a.chunk, g);
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
    data: { vectors, chunks: chunkRef, ...(keyword ? { keyword } : {}), ...(model ? { model } : {}), ...(prefix ? { prefix } : {}) },
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

/**
 * `tokenize(text)` from the tokens of the embed text, which is the header + the text (unless the
 * secret scrubber changed something). A header ending in a newline cannot join a token with the
 * text, so the text's tokens are exactly the embed text's minus the header's.
 */
function textTerms(embedText: string, text: string, embedTerms: (t: string) => readonly string[] | undefined): readonly string[] | undefined {
  const head = embedText.length - text.length;
  if (head < 0 || (head > 0 && embedText.charCodeAt(head - 1) !== 10) || !embedText.endsWith(text)) return undefined;
  const all = embedTerms(embedText);
  if (!all) return undefined;
  if (head === 0) return all;
  const skip = tokenize(embedText.slice(0, head)).length;
  return skip <= all.length ? all.slice(skip) : undefined;
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
