/**
 * The zero-configuration embedder: no key, no network, no weights. Vectors come from the
 * workspace itself — TF-IDF over the shared tokenizer, projected on an LSA basis (randomized SVD)
 * fitted once per full build. Keyword search stays the primary offline signal (pretrained word
 * vectors measured worse than BM25); these vectors serve clustering, related files and outliers.
 *
 * The basis is frozen between rebuilds: an incremental run projects new chunks on the stored
 * basis, so editing one function changes that chunk's vector and no other.
 */
import type { EmbedOptions, Embedder, QueryTask } from '../types';
import { EmbedError } from './errors';
import { estimateTokens } from './tokens';
import { releaseTokenizerCaches, tokenize } from '../text/tokenize';
import { countTerms, fitLsa } from './offline/lsa';
import { OfflineModel } from './offline/model';
import { TermDictionary, type ChunkTerms, type CountedTerms, type PackedFileTerms } from '../text/termPack';

/** An embedder whose vector space is learned from the corpus (the indexer fits and stores it). */
export interface FittableEmbedder extends Embedder {
  /** Id of the loaded basis; undefined until `fit` or `loadModel`. */
  readonly basisId: string | undefined;
  /** Learns the basis from all documents of a full build, in a deterministic (sorted) order. */
  fit(texts: readonly string[], signal?: AbortSignal): Promise<void>;
  /** The loaded basis as bytes, to store in the index. */
  saveModel(): Uint8Array;
  /** Loads a stored basis; throws on a malformed blob. */
  loadModel(bytes: Uint8Array): void;
}

export function isFittableEmbedder(e: Embedder): e is FittableEmbedder {
  const f = e as Partial<FittableEmbedder>;
  return typeof f.fit === 'function' && typeof f.saveModel === 'function' && typeof f.loadModel === 'function';
}

/**
 * An embedder that can hand back the `tokenize` output of the texts it processed, so an index build
 * tokenizes each chunk once (basis fit, projection and keyword index).
 */
export interface TermSource {
  /** From now on, keep the tokens of every fitted or embedded text (up to a memory cap). */
  retainTerms(): void;
  /** `tokenize(text)` if it was kept, else undefined. */
  termsOf(text: string): readonly string[] | undefined;
  /** Drops the kept tokens and stops keeping them. */
  releaseTerms(): void;
  /**
   * Keeps the terms a chunk worker tokenized for one file's chunks (by chunk hash — the hash of
   * the embed text —, in chunk order; while retaining, within the cap): fit, projection and
   * keyword index then never tokenize them. False when they were not kept.
   */
  acceptPacked?(hashes: readonly string[], packed: PackedFileTerms): boolean;
  /** What the keyword index indexes of a chunk (its text without the embed header), if kept. */
  keywordTermsOf?(hash: string): CountedTerms | undefined;
  /**
   * A stand-in for the embed text of a chunk whose terms were kept, to pass to `fit` and
   * `embedDocuments` instead of the text (which the caller may then drop): same vectors, same basis.
   */
  termsRef?(hash: string): string | undefined;
}

/** Starts a `termsRef` (an embed text never starts with NUL: files with NUL bytes are binary, never read as text). */
const REF = '\u0000';

export function isTermSource(e: unknown): e is TermSource {
  const t = e as Partial<TermSource> | undefined;
  return typeof t?.retainTerms === 'function' && typeof t.termsOf === 'function' && typeof t.releaseTerms === 'function';
}

/** Tokens kept for `termsOf` per run (8 bytes each): ~128 MB at most, beyond that callers re-tokenize. */
const MAX_RETAINED_TOKENS = 16_000_000;
/** Packed term ints kept per run (4 bytes each): ~160 MB at most (a 60 MB tree needs ~40 MB). */
const MAX_PACKED_INTS = 40_000_000;

export interface OfflineEmbedderOptions {
  /** Latent dimensions (default 128). */
  readonly dimensions?: number;
  /** Vocabulary cap (default 12,000 terms by document frequency). */
  readonly maxVocabulary?: number;
  /** Documents the basis is fitted on; a larger corpus is sampled evenly (default 10,000). */
  readonly maxFitDocuments?: number;
  /** Texts per `onEmbedded` batch (default 256). */
  readonly batchSize?: number;
}

/** Bump when tokenization, weighting or the model format change the vectors of a given text. */
// v2: the tokenizer's Chinese terms changed (the basis is fitted on them).
const ALGORITHM = 'tfidf-lsa-v2';

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new EmbedError('cancelled', 'Indexing was cancelled.');
}

export class OfflineEmbedder implements FittableEmbedder, TermSource {
  readonly provider = 'offline' as const;
  readonly dimensions: number;
  readonly fingerprint: string;
  readonly label = 'offline (keyword + workspace LSA)';
  private model: OfflineModel | undefined;
  private readonly maxVocabulary: number;
  private readonly maxFitDocuments: number;
  private readonly batchSize: number;
  /**
   * Tokens by text: the fit sample (so its projection does not tokenize again) and, while
   * `retainTerms` is on, every embedded text.
   */
  private tokens = new Map<string, string[]>();
  private retaining = false;
  private retainedTokens = 0;
  /** Terms the chunk workers counted, by chunk hash, with the run's term numbering. */
  private packed = new Map<string, ChunkTerms>();
  private dictionary = new TermDictionary();
  private packedInts = 0;
  /** The loaded basis's row of each dictionary term (rebuilt when the basis or dictionary changes). */
  private vocab: { model: OfflineModel; rows: Int32Array } | undefined;

  constructor(options: OfflineEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 128;
    this.maxVocabulary = options.maxVocabulary ?? 12_000;
    this.maxFitDocuments = options.maxFitDocuments ?? 10_000;
    this.batchSize = options.batchSize ?? 256;
    // The basis id is not part of the fingerprint: a refit stays in the same space (the manifest
    // records the basis and the vector cache is only reused under the same basis).
    this.fingerprint = `offline:${ALGORITHM}:d${this.dimensions}:v${this.maxVocabulary}:n${this.maxFitDocuments}`;
  }

  get basisId(): string | undefined {
    return this.model?.basisId;
  }

  retainTerms(): void {
    this.retaining = true;
  }

  termsOf(text: string): readonly string[] | undefined {
    return this.tokens.get(text);
  }

  acceptPacked(hashes: readonly string[], packed: PackedFileTerms): boolean {
    if (!this.retaining || this.packedInts >= MAX_PACKED_INTS) return false;
    const chunks = this.dictionary.accept(packed, hashes.length);
    if (!chunks) return false; // malformed: those texts are tokenized here when needed
    hashes.forEach((h, i) => this.packed.has(h) || this.packed.set(h, chunks[i]));
    this.packedInts += packed.data.length; // the cap counts the ints as they came (stored as ~3-byte varints)
    return true;
  }

  keywordTermsOf(hash: string): CountedTerms | undefined {
    const t = this.packed.get(hash);
    return t && this.dictionary.textTerms(t);
  }

  termsRef(hash: string): string | undefined {
    return this.packed.has(hash) ? REF + hash : undefined;
  }

  /** The kept terms of a `termsRef` stand-in; undefined for a real text. */
  private packedOf(text: string): ChunkTerms | undefined {
    if (text.charCodeAt(0) !== 0) return undefined;
    const p = this.packed.get(text.slice(REF.length));
    if (!p) throw new Error('offline embedder: the terms of a chunk were released before it was embedded');
    return p;
  }

  releaseTerms(): void {
    this.retaining = false;
    this.retainedTokens = 0;
    this.tokens = new Map();
    this.packed = new Map();
    this.dictionary = new TermDictionary();
    this.packedInts = 0;
    this.vocab = undefined;
  }

  /** `countTerms(tokenize(text))`, from the packed terms when a worker counted them. */
  private countsOf(text: string, keep: boolean): Map<string, number> {
    const p = this.packedOf(text);
    return p ? this.dictionary.counts(p) : countTerms(this.tokensOf(text, keep));
  }

  private projectOne(model: OfflineModel, text: string, keep: boolean): Float32Array {
    const p = this.packedOf(text);
    if (!p) return model.projectCounts(countTerms(this.tokensOf(text, keep)));
    if (this.vocab?.model !== model || this.vocab.rows.length < this.dictionary.size) {
      this.vocab = { model, rows: model.vocabularyOf(this.dictionary.terms) };
    }
    return model.projectPairs(this.dictionary.pairs(p), this.vocab.rows);
  }

  private tokensOf(text: string, keep: boolean): string[] {
    let t = this.tokens.get(text);
    if (t) {
      if (!this.retaining) this.tokens.delete(text);
      return t;
    }
    t = tokenize(text);
    if (keep) {
      this.tokens.set(text, t);
      this.retainedTokens += t.length;
    }
    return t;
  }

  async fit(texts: readonly string[], signal?: AbortSignal): Promise<void> {
    if (!this.retaining) this.tokens = new Map();
    releaseTokenizerCaches(); // every chunk is tokenized by now; the fit is where a build's memory peaks
    const fitted = await fitLsa(texts, {
      dims: this.dimensions,
      maxVocabulary: this.maxVocabulary,
      maxDocuments: this.maxFitDocuments,
      // The sample is kept tokenized for its projection right after the fit.
      termCounts: (text) => this.countsOf(text, true),
      checkpoint: async () => {
        await yieldToLoop();
        throwIfAborted(signal);
      },
    });
    this.model = OfflineModel.fromFit(fitted);
  }

  saveModel(): Uint8Array {
    if (!this.model) throw new Error('offline embedder: no basis fitted');
    return this.model.bytes;
  }

  loadModel(bytes: Uint8Array): void {
    const model = OfflineModel.deserialize(bytes);
    if (model.dims !== this.dimensions) throw new Error(`offline model has ${model.dims} dimensions, expected ${this.dimensions}`);
    this.model = model;
  }

  async embedDocuments(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const model = this.requireModel();
    const out: Float32Array[] = [];
    let tokens = 0, done = 0;
    for (let start = 0; start < texts.length; start += this.batchSize) {
      throwIfAborted(options.signal);
      const indices: number[] = [];
      const vectors: Float32Array[] = [];
      for (let i = start; i < Math.min(texts.length, start + this.batchSize); i++) {
        const keep = this.retaining && this.retainedTokens < MAX_RETAINED_TOKENS;
        const v = this.projectOne(model, texts[i], keep);
        if (!options.streamed) out.push(v);
        done++;
        indices.push(i);
        vectors.push(v);
        tokens += estimateTokens(texts[i]);
      }
      options.onEmbedded?.(indices, vectors);
      options.onProgress?.({ done, total: texts.length, tokens });
      // Projection is CPU-bound: yield so cancellation and the UI stay responsive.
      await yieldToLoop();
    }
    return out;
  }

  async embedQuery(text: string, _task: QueryTask, options: { readonly signal?: AbortSignal } = {}): Promise<Float32Array> {
    throwIfAborted(options.signal);
    return this.requireModel().project(text);
  }

  private requireModel(): OfflineModel {
    if (!this.model) throw new Error('offline embedder: the index has no fitted basis yet (run an index build first)');
    return this.model;
  }
}
