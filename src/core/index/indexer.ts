/**
 * runIndex: discover → read → chunk → hash → vector cache → embed the missing → commit.
 *
 * The vector cache is keyed by chunk hash (the hash of the scrubbed embed text): rows of the
 * committed generation, its extras, and the journal of an interrupted run. So an unchanged chunk
 * is never embedded again, identical chunks are embedded once, and a resumed run embeds only
 * what is missing. Everything an embedder returns is written to the journal at once (a killed
 * process loses only the requests in flight) and fsynced every few seconds (what a power loss
 * can take); whatever happens after (error, cancel, budget), the run commits what is complete.
 */
import { CHUNKER_VERSION } from '../chunking';
import { isFittableEmbedder, isTermSource } from '../embedding/offline';
import type { IndexReport, IndexRunOptions, MissingReason } from '../engineTypes';
import { EmbedError, isCancellation } from '../embedding/errors';
import { classifyFailure } from '../embedding/failures';
import { recordCoverage } from './coverage';
import type { Chunk, ChunkInfo, Embedder, Logger } from '../types';
import { nullLogger } from '../types';
import { firstRows, writeGeneration, type PlannedFile } from './generation';
import { addChunkPostings, type KeywordTerms } from './keywordRows';
import { KeywordIndex } from '../search/keywordIndex';
import { tokenizeInWorkers } from '../chunking/pool';
import { preloadParsersFor } from '../chunking/treeSitter';
import { packTerms } from '../text/termPack';
import { JournalWriter, RunVectors, journalFile, readJournal } from './journal';
import type { SpaceFingerprint } from './manifest';
import { oldFileMap, scanWorkspace, type ScanResult } from './scan';
import { IndexStore } from './store';
import { IndexCorruptError } from './binio';
import { openOldState, type OldState } from './oldState';
import { missingInOrder, pickExtras, runProgress, leanHeap, withLock, type EmbedPlan } from './runSupport';

export interface RunIndexParams {
  /** Absolute folder to index. */
  readonly root: string;
  /** Index directory (holds one sub-directory per embedder fingerprint). */
  readonly indexDir: string;
  readonly embedder: Embedder;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly maxFileBytes?: number;
  readonly maxChunkTokens?: number;
  /** Stop before the tokens embedded in this run would exceed this. */
  readonly tokenBudget?: number;
  readonly logger?: Logger;
  /** Spaces (embedder fingerprints) kept in the index directory; default 3. */
  readonly keepSpaces?: number;
  /** Journal fsync interval while embedding (every batch is written at once); default 2000 ms. */
  readonly checkpointMs?: number;
  /** Write the whole generation afresh (merge the segments, drop tombstones) even if nothing changed. */
  readonly compact?: boolean;
  /** Vectors from elsewhere (a team index) for hashes not cached here, asked once before embedding. */
  readonly vectorSource?: (hashes: readonly string[]) => Promise<ReadonlyMap<string, Float32Array>>;
}

/** IndexReport plus what the engine needs for dry runs and error display. */
export interface RunIndexReport extends IndexReport {
  /** Unique chunk texts this run embedded, or (dry run) would embed. */
  readonly chunksToEmbed: number;
  readonly tokensToEmbed: number;
  /** Files (re)chunked in this run, and committed files removed. */
  readonly filesChanged: number;
  readonly filesRemoved: number;
  /** The embedder error that stopped the run (what was embedded before it is kept). */
  readonly error?: { readonly kind: string; readonly message: string; readonly failure?: MissingReason };
}

export function runIndex(params: RunIndexParams, options: IndexRunOptions = {}): Promise<RunIndexReport> {
  return withLock(params.indexDir, async () => {
    try {
      return await run(params, options);
    } catch (e) {
      // Rows are checked as they are read: damage found while writing left a note (binio.noteDamage),
      // so the second run checks every block and rebuilds what is damaged (the journal keeps the paid vectors).
      if (!(e instanceof IndexCorruptError)) throw e;
      return run(params, options);
    }
  });
}

async function run(params: RunIndexParams, options: IndexRunOptions): Promise<RunIndexReport> {
  const t0 = Date.now();
  const { embedder } = params;
  const { signal } = options;
  const log = params.logger ?? nullLogger;
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log.warn(m);
  };
  const store = new IndexStore(params.indexDir, params.keepSpaces);
  const spaceDir = store.spaceDir(embedder.fingerprint);
  const progress = runProgress(options.onProgress);
  const fittable = isFittableEmbedder(embedder) ? embedder : undefined;

  // A save's few files are usually chunked in this thread: their grammars compile while the old state
  // is read. (The pool takes ≥ 2 files of ≥ 256 KiB together, pool/ordered.ts, which is not known
  // before the files are read; then this one compile is spent for nothing.)
  if (options.paths && options.paths.length <= 8 && !options.dryRun) preloadParsersFor(options.paths);
  // 1. The committed generation, fully verified (its rows are about to be copied).
  const old = loadOld(store, embedder, warn);
  if (old && fittable && old.model) {
    try {
      fittable.loadModel(old.model);
    } catch (e) {
      warn(`The stored offline model is unusable (${(e as Error).message}); rebuilding.`);
    }
  }
  const refit = !!fittable && (!!options.rebuild || !old || fittable.basisId !== old.state.manifest.fingerprint.basisId);
  const rechunkAll = !!options.rebuild || !old || refit || old.state.manifest.fingerprint.chunkerVersion !== CHUNKER_VERSION || !old.state.manifest.data.keyword;
  // A full build keeps the heap close to what it holds; a live update keeps V8's pace (fewer collections).
  const endLean = rechunkAll && !options.dryRun ? leanHeap() : undefined;
  let paths = options.paths;
  if (paths && rechunkAll) {
    if (!options.dryRun) warn('The index needs a full build; the live update was widened to the whole folder.');
    paths = undefined;
  }

  // The offline embedder keeps each chunk's tokens for the keyword index: one tokenization per chunk.
  const terms = !options.dryRun && isTermSource(embedder) ? embedder : undefined;
  terms?.retainTerms();
  const keywordTerms = terms?.keywordTermsOf ? (hash: string) => terms.keywordTermsOf?.(hash) : undefined;
  const embedTerms = terms ? (embedText: string) => terms.termsOf(embedText) : undefined;
  /** What the embedder is given for a chunk: its text, or a stand-in when it kept the chunk's terms. */
  const embedInput = (c: { readonly hash: string; readonly embedText: string }) => terms?.termsRef?.(c.hash) ?? c.embedText;
  // A full offline build indexes postings as files arrive (the main thread waits for the chunk
  // workers anyway); rows are then in file order, which the commit checks before using them.
  const early = terms && rechunkAll ? { index: KeywordIndex.empty(), rows: 0 } : undefined;
  let closeFresh = () => {};
  try {
    // 2. What changed.  3. The offline basis is fitted on every chunk of a full build, in
    // sorted path order. A cancel here writes nothing: the committed index stays as it was.
    let scan: ScanResult;
    try {
      scan = await scanWorkspace({
        root: params.root, include: params.include, exclude: params.exclude, maxFileBytes: params.maxFileBytes,
        maxChunkTokens: params.maxChunkTokens, old: old?.state.manifest.files, rechunkAll, paths, signal,
        // Offline: each chunk is tokenized once — by the chunk workers when they are not the
        // bottleneck, else here while they work — into packed counts that the basis fit, the
        // projection and the keyword index reuse.
        terms: !!terms?.acceptPacked && tokenizeInWorkers(),
        onFile: terms ? (f, packed) => {
          const kept = terms.acceptPacked?.(f.chunks.map((c) => c.hash), packed ?? packTerms(f.chunks)) === true;
          if (early) for (const c of f.chunks) addChunkPostings(early.index, early.rows++, c, embedTerms, keywordTerms);
          // From here a full build needs only the chunks' kept terms, not their texts (~1.1× the source).
          if (early && kept) dropTexts(f.chunks, keywordTerms);
        } : undefined,
        progress: (p) => progress.emit(p),
      });
      if (refit && fittable && !options.dryRun) {
        progress.emit({ phase: 'embed' });
        await fittable.fit(scan.processed.flatMap((f) => f.chunks.map(embedInput)), signal);
      }
    } catch (e) {
      if (!isCancellation(e)) throw e;
      warn('Indexing was cancelled before anything was embedded; the index is unchanged.');
      return cancelledReport(t0, old?.state, store, warnings);
    }
    const basisId = fittable ? (fittable.basisId ?? '') : '';
    const fingerprint: SpaceFingerprint = {
      embedder: embedder.fingerprint, provider: embedder.provider, label: embedder.label, dimensions: embedder.dimensions,
      chunkerVersion: CHUNKER_VERSION, ...(fittable ? { basisId } : {}),
    };

    // 4. The vector cache: committed rows and extras (same basis only) + an interrupted run's journal.
    const sameSpace = !!old && (old.state.manifest.fingerprint.basisId ?? '') === basisId && old.state.manifest.fingerprint.dimensions === embedder.dimensions;
    const oldRows = new Map<string, number>();
    if (old && sameSpace) {
      const m = old.state.manifest;
      old.state.chunks.forEach((c, r) => oldRows.has(c.hash) || oldRows.set(c.hash, r));
      m.extraHashes.forEach((h, i) => oldRows.has(h) || oldRows.set(h, m.chunkCount + i));
    }
    const journal = options.dryRun ? undefined : readJournal(spaceDir, embedder.dimensions, basisId);
    // This run's vectors stay in the journal (read back when the generation is written), not in memory.
    const fresh = journal?.vectors ?? new RunVectors(journalFile(spaceDir), embedder.dimensions);
    closeFresh = () => fresh.close();
    const cached = (h: string) => fresh.has(h) || oldRows.has(h);
    if (params.vectorSource && !options.dryRun) {
      const wanted = [...new Set(scan.processed.flatMap((f) => f.chunks.map((c) => c.hash)))].filter((h) => !cached(h));
      if (wanted.length) for (const [h, v] of await params.vectorSource(wanted)) if (validVector(v, embedder.dimensions)) fresh.hold(h, v);
    }

    // 5. What to embed: unique missing texts in file order, whole files within the token budget.
    const plan = missingInOrder(scan.processed, cached, params.tokenBudget);
    if (plan.deferredFiles > 0) warn(`Token budget reached: ${plan.deferredFiles} file(s) left for the next run.`);
    progress.emit({ phase: 'embed', chunksTotal: plan.plannedChunks, chunksDone: plan.plannedChunks - plan.missingChunks, tokensTotal: plan.tokens });

    if (options.dryRun) {
      const files = planFiles(scan, old?.state, () => true);
      const bytesOnDisk = old ? store.bytesOnDisk(old.state.manifest) : 0;
      progress.emit({ phase: 'done' });
      return report({ t0, bytesOnDisk, old: old?.state, files, scan, warnings, embedded: new Set(), plan, dryRun: true, incomplete: plan.deferredFiles > 0 });
    }

    // 6. Embed, journaling every batch; a failure or cancel ends the loop, never the commit.
    let error: RunIndexReport['error'];
    const embedded = new Set<string>();
    if (plan.texts.length > 0) {
      const writer = JournalWriter.open(store.ensureSpaceDir(embedder.fingerprint), embedder.dimensions, basisId, journal);
      const every = params.checkpointMs ?? 2000;
      let lastFlush = Date.now();
      let chunksDone = plan.plannedChunks - plan.missingChunks;
      let tokensDone = 0;
      // A cancel while a batch waits to be retried gave up on that failure: it is the reason.
      let pendingRetry: { readonly failure: MissingReason } | undefined;
      try {
        await embedder.embedDocuments(plan.texts.map(embedInput), {
          signal,
          streamed: true,
          // Retries and rate-limit waits, shown while nothing lands.
          onProgress: (p) => {
            pendingRetry = p.retry;
            progress.emit({ phase: 'embed', chunksDone, tokensDone, retry: p.retry, waiting: p.waiting });
          },
          onEmbedded: (indices, vectors) => {
            indices.forEach((i, k) => {
              const t = plan.texts[i], v = vectors[k];
              if (!t || embedded.has(t.hash) || !validVector(v, embedder.dimensions)) return;
              fresh.journaled(t.hash, writer.add(t.hash, v));
              embedded.add(t.hash);
              chunksDone += t.copies;
              tokensDone += t.tokens;
            });
            // Paid for: to the kernel now (a killed process loses none of it), to the disk every few seconds.
            if (Date.now() - lastFlush >= every) {
              writer.flush();
              lastFlush = Date.now();
            } else writer.write();
            progress.emit({ phase: 'embed', chunksDone, tokensDone });
          },
        });
      } catch (e) {
        if (!(e instanceof EmbedError) && !isCancellation(e)) {
          writer.flush(); // keep what was paid for, then let the bug surface
          writer.close();
          throw e;
        }
        error = { kind: e instanceof EmbedError ? e.kind : 'cancelled', message: (e as Error).message, failure: isCancellation(e) ? (pendingRetry?.failure ?? 'cancelled') : (classifyFailure(e) ?? 'error') };
        warn(isCancellation(e) ? 'Indexing was cancelled; what was embedded is kept.' : `Embedding stopped: ${(e as Error).message}`);
      } finally {
        writer.flush();
        writer.close();
      }
    }

    // 7. Commit every file whose chunks all have vectors; the rest keep their committed version.
    progress.emit({ phase: 'write' });
    // Files that could not be completed keep their committed version — only within the same
    // vector space (after a refit, old rows are of another basis and must not be mixed in).
    const base = sameSpace ? old?.state : undefined;
    const files = planFiles(scan, base, (f) => f.chunks.every((c) => cached(c.hash)));
    const oldFirst = old ? firstRows(old.state.manifest.files.counts) : [];
    const referenced = new Set<string>();
    let chunkCount = 0;
    for (const f of files) {
      for (const c of chunksOf(f, base, oldFirst)) referenced.add(c.hash);
      chunkCount += f.kind === 'new' ? f.file.chunks.length : (base as OldState).manifest.files.counts[f.oldIndex];
    }
    const extras = pickExtras(fresh.keys(), old && sameSpace ? old.state.manifest.extraHashes : [], referenced, chunkCount);
    const committedNew = new Set(files.flatMap((f) => (f.kind === 'new' ? [f.file] : [])));
    const incomplete = !!error || plan.deferredFiles > 0 || scan.processed.some((p) => !committedNew.has(p));
    const oldMap = oldFileMap(old?.state.manifest.files);
    const nothingChanged = !!old && !refit && !(params.compact && old.state.layout.segmented) && scan.processed.length === 0 && scan.removed.size === 0 && fresh.size === 0 &&
      old.state.manifest.complete === !incomplete &&
      [...scan.unchanged].every(([p, st]) => oldMap.get(p)?.size === st.size && oldMap.get(p)?.mtimeMs === st.mtimeMs);
    let manifest = old?.state.manifest;
    if (nothingChanged) store.touch(embedder.fingerprint);
    else {
      manifest = await writeGeneration({
        store, fingerprint, old: old?.state, files, extras, fresh, oldRows, complete: !incomplete, rebuild: rechunkAll, compact: params.compact,
        model: fittable ? { basisId, bytes: fittable.saveModel() } : undefined,
        embedTerms, keywordTerms,
        keyword: early && files.length === scan.processed.length && files.every((f) => f.kind === 'new') ? early : undefined,
      });
    }
    const committedPaths = new Set([...committedNew].map((f) => f.path));
    const coverage = recordCoverage({
      spaceDir, manifest, processed: scan.processed.map((p) => ({ path: p.path, chunks: p.chunks.length })),
      committed: (p) => committedPaths.has(p), removed: scan.removed, skipped: scan.skipped, paths,
      stoppedBy: error ? { reason: error.failure ?? 'error', message: error.message } : plan.deferredFiles > 0 ? { reason: 'budget', message: 'Token budget reached; the next run continues.' } : undefined,
    });
    progress.emit({ phase: 'done' });
    const bytesOnDisk = manifest ? store.bytesOnDisk(manifest) : 0;
    return { ...report({ t0, bytesOnDisk, old: base, files, scan, warnings, embedded, plan, dryRun: false, incomplete, error }), ...(coverage ? { coverage } : {}) };
  } finally {
    terms?.releaseTerms();
    closeFresh();
    endLean?.();
    old?.state.reader.close();
  }
}

function loadOld(store: IndexStore, embedder: Embedder, warn: (m: string) => void): { state: OldState; model?: Uint8Array } | undefined {
  const read = store.readManifest(embedder.fingerprint);
  if (read.status === 'missing') return undefined;
  if (read.status === 'corrupt') {
    warn(`The index was unreadable (${read.reason}); rebuilding it.`);
    return undefined;
  }
  try {
    return openOldState(store, read.manifest);
  } catch (e) {
    warn(`The index was damaged (${(e as Error).message}); rebuilding it.`);
    return undefined;
  }
}

/** Files of the next generation, sorted: unchanged old ones, processed ones that are `ready`. */
function planFiles(scan: ScanResult, old: OldState | undefined, ready: (f: ScanResult['processed'][number]) => boolean): PlannedFile[] {
  const out: { path: string; f: PlannedFile }[] = [];
  const oldMap = oldFileMap(old?.manifest.files);
  const processed = new Set(scan.processed.map((p) => p.path));
  for (const p of scan.processed) {
    const prev = oldMap.get(p.path);
    if (ready(p)) out.push({ path: p.path, f: { kind: 'new', file: p } });
    else if (prev && !scan.removed.has(p.path)) out.push({ path: p.path, f: { kind: 'old', oldIndex: prev.index, size: prev.size, mtimeMs: prev.mtimeMs } });
  }
  for (const [path, o] of oldMap) {
    if (processed.has(path) || scan.removed.has(path)) continue;
    const now = scan.unchanged.get(path);
    out.push({ path, f: { kind: 'old', oldIndex: o.index, size: now?.size ?? o.size, mtimeMs: now?.mtimeMs ?? o.mtimeMs } });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((x) => x.f);
}

/**
 * Forgets the texts of chunks whose terms the embedder kept (and whose keyword terms it can give
 * again, should the postings be rebuilt at commit): the rest of the run reads only those terms.
 */
function dropTexts(chunks: Chunk[], keywordTerms: KeywordTerms | undefined): void {
  chunks.forEach((c, i) => {
    if (keywordTerms?.(c.hash)) chunks[i] = { ...c, text: '', embedText: '' };
  });
}

function validVector(v: Float32Array | undefined, dims: number): v is Float32Array {
  if (!v || v.length !== dims) return false;
  for (let i = 0; i < dims; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

interface ReportInput {
  t0: number; bytesOnDisk: number; old?: OldState; files: PlannedFile[]; scan: ScanResult; warnings: string[];
  embedded: Set<string>; plan: EmbedPlan; dryRun: boolean; incomplete: boolean; error?: RunIndexReport['error'];
}

function report(r: ReportInput): RunIndexReport {
  let chunks = 0, tokens = 0, fromRun = 0;
  const counted = new Set<string>();
  const oldFirst = r.old ? firstRows(r.old.manifest.files.counts) : [];
  for (const f of r.files) {
    for (const c of chunksOf(f, r.old, oldFirst)) {
      chunks++;
      tokens += c.tokens;
      if (r.embedded.has(c.hash) && !counted.has(c.hash)) {
        counted.add(c.hash);
        fromRun++;
      }
    }
  }
  const filesSkipped: Record<string, number> = {};
  for (const s of r.scan.skipped) filesSkipped[s.reason] = (filesSkipped[s.reason] ?? 0) + 1;
  return {
    filesIndexed: r.files.length,
    filesSkipped,
    skippedFiles: r.scan.skipped,
    chunks,
    tokens,
    embeddedChunks: r.embedded.size,
    reusedChunks: r.dryRun ? chunks - r.plan.missingChunks : chunks - fromRun,
    seconds: (Date.now() - r.t0) / 1000,
    bytesOnDisk: r.bytesOnDisk,
    incomplete: r.incomplete,
    warnings: r.warnings,
    chunksToEmbed: r.dryRun ? r.plan.texts.length : r.embedded.size,
    tokensToEmbed: r.plan.tokens,
    filesChanged: r.scan.processed.length,
    filesRemoved: r.scan.removed.size,
    ...(r.error ? { error: r.error } : {}),
  };
}

function cancelledReport(t0: number, old: OldState | undefined, store: IndexStore, warnings: string[]): RunIndexReport {
  const m = old?.manifest;
  let tokens = 0;
  for (const c of old?.chunks ?? []) tokens += c.tokens;
  return {
    filesIndexed: m?.files.paths.length ?? 0, filesSkipped: {}, skippedFiles: [], chunks: m?.chunkCount ?? 0, tokens,
    embeddedChunks: 0, reusedChunks: 0, seconds: (Date.now() - t0) / 1000, bytesOnDisk: m ? store.bytesOnDisk(m) : 0,
    incomplete: true, warnings, chunksToEmbed: 0, tokensToEmbed: 0, filesChanged: 0, filesRemoved: 0,
    error: { kind: 'cancelled', message: 'Indexing was cancelled.' },
  };
}

function chunksOf(f: PlannedFile, old: OldState | undefined, oldFirst: readonly number[]): readonly ChunkInfo[] {
  if (f.kind === 'new') return f.file.chunks;
  const o = old as OldState;
  return o.chunks.slice(oldFirst[f.oldIndex], oldFirst[f.oldIndex] + o.manifest.files.counts[f.oldIndex]);
}
