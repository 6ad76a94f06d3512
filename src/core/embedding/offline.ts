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
import { fitLsa } from './offline/lsa';
import { OfflineModel } from './offline/model';

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
const ALGORITHM = 'tfidf-lsa-v1';

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new EmbedError('cancelled', 'Indexing was cancelled.');
}

export class OfflineEmbedder implements FittableEmbedder {
  readonly provider = 'offline' as const;
  readonly dimensions: number;
  readonly fingerprint: string;
  readonly label = 'offline (keyword + workspace LSA)';
  private model: OfflineModel | undefined;
  private readonly maxVocabulary: number;
  private readonly maxFitDocuments: number;
  private readonly batchSize: number;

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

  async fit(texts: readonly string[], signal?: AbortSignal): Promise<void> {
    const fitted = await fitLsa(texts, {
      dims: this.dimensions,
      maxVocabulary: this.maxVocabulary,
      maxDocuments: this.maxFitDocuments,
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
    let tokens = 0;
    for (let start = 0; start < texts.length; start += this.batchSize) {
      throwIfAborted(options.signal);
      const indices: number[] = [];
      const vectors: Float32Array[] = [];
      for (let i = start; i < Math.min(texts.length, start + this.batchSize); i++) {
        const v = model.project(texts[i]);
        out.push(v);
        indices.push(i);
        vectors.push(v);
        tokens += Math.ceil(texts[i].length / 4);
      }
      options.onEmbedded?.(indices, vectors);
      options.onProgress?.({ done: out.length, total: texts.length, tokens });
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
