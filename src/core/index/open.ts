/**
 * openIndex: what the engine needs to search — chunks, vectors (row i ↔ chunks[i]), keyword
 * postings, files and the fingerprint — loaded from the space of the given embedder. A damaged
 * index is reported (`status: 'corrupt'`, with the reason) so the caller can warn and rebuild;
 * it never throws for what is on disk and never returns a partially checked index.
 *
 * When the generation has a prefix file (two-stage sized indexes), the vector file is not read
 * at open — only its length and sampled block checksums are checked: `vectorIndex()` searches
 * from the prefix and reads the candidates' rows (each verified by its CRC), and `vectors` reads
 * the whole file on first use. Damage found that late surfaces as an IndexCorruptError thrown by
 * those calls (the engine turns it into "index damaged, index again").
 */
import fs from 'node:fs';
import path from 'node:path';
import { isFittableEmbedder } from '../embedding/offline';
import { KeywordIndex } from '../search/keywordIndex';
import { VectorIndex } from '../search/vectorIndex';
import type { ChunkInfo, Embedder } from '../types';
import type { CoverageSummary } from '../engineTypes';
import { readCoverage } from './coverage';
import { firstRows } from './generation';
import type { SpaceFingerprint } from './manifest';
import { VectorFileLoader, openPrefixIndex } from './prefixFile';
import { RowLayout } from './rowLayout';
import { DAMAGED_NAME, readFileVerified } from './binio';
import { startsWith, previouslyOpened, rememberOpened, type Reusable } from './reuse';
import { SegmentedLoader, mergedPostingsSteps, rowOfPhysical, rowsFromPreviousSteps } from './segments';
import { checkVectorsSteps, loadMetaSteps, readVectorsSteps } from './openSteps';
import { runInSlices, runSteps, type SliceStats, type Steps } from '../slices';
import { IndexStore } from './store';

/** Floats normalised between two yields of `warmSteps` (4 MiB). */
const STEP_FLOATS = 1 << 20;

export interface IndexedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** Hash of the file text when it was indexed. */
  readonly hash: string;
  /** Its chunks are chunks[firstChunk .. firstChunk + chunkCount). */
  readonly firstChunk: number;
  readonly chunkCount: number;
}

export interface OpenedIndex {
  readonly fingerprint: SpaceFingerprint;
  readonly dims: number;
  readonly generation: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** False when the last run stopped early (cancelled, budget, error). */
  readonly complete: boolean;
  readonly chunks: readonly ChunkInfo[];
  /**
   * chunks.length × dims floats; row i belongs to chunks[i]. With a prefix file the whole vector
   * file is read (and sample-checked) on first access, which may throw IndexCorruptError.
   */
  readonly vectors: Float32Array;
  /**
   * The vector index (built once): from the stored prefix with rows read on demand when the
   * generation has a prefix file, else from `vectors`. Its searches may throw IndexCorruptError
   * when a row they read is damaged.
   */
  vectorIndex(): VectorIndex;
  /**
   * While the vector index's rows are on disk: a loader that reads the whole vector file in
   * steps of a few MiB (every block checksummed, rows normalised) and, at its last step, hands
   * the rows to the vector index (and to `vectors`). `step()` returns true when done and throws
   * IndexCorruptError on damage. For a background load after the first result.
   */
  vectorLoader(): { step(): boolean } | undefined;
  readonly files: readonly IndexedFile[];
  /** Serialized BM25 postings (KeywordIndex.serialize); ids are chunk rows. Read-only: the keyword index shares them. */
  readonly keywordBytes: Uint8Array;
  /** Deserializes the postings (once; later calls return the same instance). */
  keywordIndex(): KeywordIndex;
  /** Builds what a first search would (keyword index, vector index from in-memory rows) in steps (slices.ts). */
  warmSteps(): Steps<void>;
  readonly bytesOnDisk: number;
}

export type OpenIndexResult =
  | { readonly status: 'missing' }
  | { readonly status: 'corrupt'; readonly reason: string }
  | { readonly status: 'ok'; readonly index: OpenedIndex };

export interface OpenIndexParams {
  readonly indexDir: string;
  /**
   * Selects the space (its fingerprint). A fittable (offline) embedder also gets the stored
   * basis loaded, so its embedQuery projects onto the same basis as the indexed chunks.
   */
  readonly embedder: Embedder;
  /** Check every block of the vector file (default: length + 16 sampled blocks). */
  readonly fullVerify?: boolean;
}

export function openIndex(params: OpenIndexParams): OpenIndexResult {
  return runSteps(openIndexSteps(params));
}

/**
 * `openIndex` in slices of about `budgetMs` (slices.ts), the event loop free between them: how a
 * long-lived host opens the next generation while it answers searches from the one it has. The
 * index it returns is also warmed (`warmSteps`): its first search builds nothing.
 */
export async function openIndexInSlices(params: OpenIndexParams, budgetMs: number, stats?: SliceStats): Promise<OpenIndexResult> {
  const opened = await runInSlices(openIndexSteps(params), budgetMs, stats);
  if (opened.status === 'ok') await runInSlices(opened.index.warmSteps(), budgetMs, stats);
  return opened;
}

function* openIndexSteps(params: OpenIndexParams): Steps<OpenIndexResult> {
  const first = yield* openOnce(params);
  if (first.status !== 'corrupt') return first;
  // Another process may have committed (and collected our generation's files) while we read:
  // if the manifest moved on, the failure was a race, not damage — read the new generation.
  const again = new IndexStore(params.indexDir).readManifest(params.embedder.fingerprint);
  return again.status === 'ok' && again.manifest.generation !== first.generation ? yield* openOnce(params) : first;
}

function* openOnce(params: OpenIndexParams): Steps<OpenIndexResult & { generation?: number }> {
  const store = new IndexStore(params.indexDir);
  const read = store.readManifest(params.embedder.fingerprint);
  if (read.status !== 'ok') return read;
  const m = read.manifest;
  const corrupt = (reason: string) => ({ status: 'corrupt' as const, reason, generation: m.generation });
  try {
    const full = params.fullVerify === true;
    const dims = m.fingerprint.dimensions;
    const dir = store.spaceDir(m.fingerprint.embedder);
    const layout = RowLayout.of(dir, m);
    yield;
    // Without a prefix file (small or older indexes) the vectors are read now, as they always were.
    const eager = full || !m.data.prefix;
    // An earlier generation of this space still open in this process (a host after a live
    // update): what it read is not read again (reuse.ts). Never for a full check.
    // Nor once a reader found damage (binio.noteDamage): then everything is read and checked again.
    const prev = full || fs.existsSync(path.join(dir, DAMAGED_NAME)) ? undefined : previouslyOpened(dir);
    const keywordFiles = m.data.keyword ? [m.data.keyword, ...(m.data.segments ?? []).map((s) => s.keyword)] : undefined;
    let prevKeyword = prev?.keyword && keywordFiles && startsWith(keywordFiles, prev.keyword.files) ? prev.keyword : undefined;
    const loaded = yield* loadMetaSteps(dir, m, !prevKeyword);
    const fromPrev = eager && prev?.rows ? yield* rowsFromPreviousSteps(dir, layout, m.chunkCount, prev.rows) : undefined;
    // Extras (cached vectors of no chunk) follow the chunk rows; searching must not see them.
    let vectors = fromPrev ? fromPrev.vectors : eager ? yield* readVectorsSteps(dir, m, layout, full) : undefined;
    if (!eager) yield* checkVectorsSteps(dir, m);
    let normalized = fromPrev && prev?.rows?.normalized ? fromPrev.reused : undefined;
    const reusable: Reusable = {};
    if (vectors) reusable.rows = { layout, chunkCount: m.chunkCount, vectors, normalized: false };
    const allVectors = (): Float32Array => (vectors ??= store.readVectors(m, false).subarray(0, m.chunkCount * dims));
    // With a prefix file the vector index is built (and the file verified) now: it is small.
    let vectorIndex = m.data.prefix ? openPrefixIndex(dir, m.data.prefix, layout, dims, m.chunkCount, allVectors) : undefined;
    yield;
    const fittable = isFittableEmbedder(params.embedder) ? params.embedder : undefined;
    if (fittable) {
      if (!loaded.model) return corrupt('the offline model is missing');
      fittable.loadModel(loaded.model);
      if (fittable.basisId !== m.fingerprint.basisId) return corrupt('the offline model does not match the manifest');
      yield;
    }
    if (!keywordFiles) return corrupt('the keyword postings are missing');
    const firstRow = firstRows(m.files.counts);
    const files: IndexedFile[] = m.files.paths.map((filePath, i) => ({
      path: filePath, size: m.files.sizes[i], mtimeMs: m.files.mtimes[i], hash: m.files.hashes[i], firstChunk: firstRow[i], chunkCount: m.files.counts[i],
    }));
    const keywordRef = keywordFiles[0];
    // No closure keeps `loaded` (its chunk table and model bytes are garbage after the open);
    // the postings file's bytes only while the merged postings still point into them.
    let baseBytes = loaded.keyword;
    const baseKeyword = (): Uint8Array => baseBytes ?? readFileVerified(dir, keywordRef);
    function* mergedSteps(): Steps<KeywordIndex> {
      if (!reusable.keyword) {
        reusable.keyword = yield* mergedPostingsSteps(dir, m, baseKeyword, prevKeyword);
        // Neither the previous generation's postings nor (segmented) the file's bytes are pointed into any more.
        prevKeyword = undefined;
        if (layout.segmented) baseBytes = undefined;
      }
      return reusable.keyword.merged;
    }
    const merged = (): KeywordIndex => runSteps(mergedSteps());
    // Reused: only the new deltas are read — now, so damage in them is reported by the open.
    if (prevKeyword) yield* mergedSteps();
    // Segmented: physical ids mapped to chunk rows (tombstones masked) — for search a view sharing `merged`'s postings, else a copy —
    // while `merged` stays as it is for the next generation.
    function* renumberedSteps(mapped: boolean): Steps<KeywordIndex> {
      const physical = yield* mergedSteps();
      const toRow = rowOfPhysical(layout, m.chunkCount);
      // For search, a view sharing the merged postings (which stay as they are for the next generation to copy).
      const view = mapped ? physical.sharedView(toRow) : undefined;
      if (view) return view;
      const k = yield* physical.copySteps();
      if (mapped) k.mapIds(toRow);
      else k.remap(toRow);
      return k;
    }
    const renumbered = (mapped: boolean): KeywordIndex => runSteps(renumberedSteps(mapped));
    let keyword: KeywordIndex | undefined;
    const keywordIndex = () => (keyword ??= layout.segmented ? renumbered(true) : merged());
    let mergedBytes: Uint8Array | undefined;
    const buildVectorIndex = (): VectorIndex => {
      if (vectorIndex) return vectorIndex;
      vectorIndex = VectorIndex.fromRows(allVectors(), dims, {}, normalized);
      if (reusable.rows) reusable.rows.normalized = true;
      return vectorIndex;
    };
    function* warmSteps(): Steps<void> {
      yield* mergedSteps();
      yield;
      // In steps: a copy of the merged tables (when no view is possible) took ~30 ms at 60 MB of headers in one piece.
      if (!keyword) {
        const k = layout.segmented ? yield* renumberedSteps(true) : yield* mergedSteps();
        keyword ??= k;
      }
      yield;
      keywordIndex().prepareForSearch();
      yield;
      if (vectorIndex || !vectors) return;
      // What buildVectorIndex does in one call (the same bits), in steps: normalising and quantising the rows not done yet.
      normalized ??= new Uint8Array(m.chunkCount);
      const per = Math.max(1, Math.floor(STEP_FLOATS / dims / 2));
      const built = yield* VectorIndex.fromRowsSteps(allVectors(), dims, {}, normalized, per);
      vectorIndex ??= built;
      if (reusable.rows) reusable.rows.normalized = true;
    }
    rememberOpened(dir, reusable);
    return {
      status: 'ok',
      index: {
        fingerprint: m.fingerprint,
        dims,
        generation: m.generation,
        createdAt: m.createdAt,
        updatedAt: m.updatedAt,
        complete: m.complete,
        chunks: loaded.chunks,
        get vectors() {
          return allVectors();
        },
        vectorIndex: buildVectorIndex,
        warmSteps,
        vectorLoader: () => {
          const vi = vectorIndex;
          if (!vi?.rowsOnDisk || vectors) return undefined;
          const loader = layout.segmented ? new SegmentedLoader(dir, layout, m.chunkCount) : new VectorFileLoader(dir, m.data.vectors, dims, m.chunkCount);
          return {
            step: () => {
              // Done, or every row was read meanwhile for `vectors` (then the index keeps reading
              // its candidates rather than holding a second copy).
              if (!vi.rowsOnDisk || vectors) return true;
              const all = loader.step();
              if (!all) return false;
              vectors = all;
              vi.adoptRows(all);
              return true;
            },
          };
        },
        files,
        // With segments: the merged postings (chunk-row ids), serialized once for who asks (a team publish).
        get keywordBytes() {
          return layout.segmented ? (mergedBytes ??= renumbered(false).serialize()) : baseKeyword();
        },
        // The postings stay in the file's buffer (read-only from here on): no 12 MB copy at 100k.
        keywordIndex,
        bytesOnDisk: store.bytesOnDisk(m),
      },
    };
  } catch (e) {
    return corrupt((e as Error).message);
  }
}

export interface IndexInfo {
  readonly exists: boolean;
  readonly chunks: number;
  readonly files: number;
  readonly bytesOnDisk: number;
  readonly updatedAt?: string;
  readonly complete?: boolean;
  readonly corrupt?: string;
  readonly coverage?: CoverageSummary;
}

/** Cheap status (manifest only, no data file read) for status bars and `status` commands. */
export function readIndexInfo(indexDir: string, embedderFingerprint: string): IndexInfo {
  const store = new IndexStore(indexDir);
  const read = store.readManifest(embedderFingerprint);
  if (read.status === 'missing') return { exists: false, chunks: 0, files: 0, bytesOnDisk: 0 };
  if (read.status === 'corrupt') return { exists: false, chunks: 0, files: 0, bytesOnDisk: 0, corrupt: read.reason };
  const m = read.manifest;
  return { exists: true, chunks: m.chunkCount, files: m.files.paths.length, bytesOnDisk: store.bytesOnDisk(m), updatedAt: m.updatedAt, complete: m.complete, coverage: readCoverage(store.spaceDir(embedderFingerprint), m) };
}

/**
 * Deletes the index directory with every space in it, or — `embedderFingerprint` given — only that
 * embedder's space (other providers' and models' indexes stay).
 */
export function clearIndex(indexDir: string, embedderFingerprint?: string): void {
  const store = new IndexStore(indexDir);
  if (embedderFingerprint === undefined) store.clear();
  else fs.rmSync(store.spaceDir(embedderFingerprint), { recursive: true, force: true });
}
