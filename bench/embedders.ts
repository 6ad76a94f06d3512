/**
 * Test embedders for the size-driven parts (no network, no model): vectors are synthetic
 * Matryoshka-like embeddings (clustered, decaying spectrum) from test/support/synthetic.ts, so the
 * store, the loader and the two-stage search see realistic rows. The vector of a text does not
 * depend on its content — fine for size, load and latency; not for quality.
 */
import type { EmbedOptions, Embedder, QueryTask } from '../src/core/types';
import { makeSyntheticEmbeddings, syntheticRows } from '../test/support/synthetic';

export class SyntheticEmbedder implements Embedder {
  readonly provider = 'openai' as const;
  readonly fingerprint: string;
  readonly label: string;
  calls = 0;
  texts = 0;

  constructor(readonly dimensions = 1024, private readonly seed = 1, private readonly batch = 256) {
    this.fingerprint = `bench:synthetic:d${dimensions}:s${seed}`;
    this.label = `synthetic ${dimensions}-d`;
  }

  async embedDocuments(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    // The rows of one matrix for the whole call (so the clusters span the corpus), made batch by
    // batch as a remote embedder's replies arrive: a streamed call holds one batch, not the matrix.
    const next = syntheticRows(texts.length, this.dimensions, this.seed + this.calls++);
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batch) {
      if (options.signal?.aborted) throw new Error('cancelled');
      const indices: number[] = [];
      const vectors: Float32Array[] = [];
      const end = Math.min(texts.length, start + this.batch);
      const rows = new Float32Array((end - start) * this.dimensions);
      for (let i = start; i < end; i++) {
        const v = rows.subarray((i - start) * this.dimensions, (i - start + 1) * this.dimensions);
        next(v, 0);
        if (!options.streamed) out.push(v);
        indices.push(i);
        vectors.push(v);
      }
      options.onEmbedded?.(indices, vectors);
      await new Promise<void>((r) => setImmediate(r));
    }
    this.texts += texts.length;
    return out;
  }

  async embedQuery(text: string, _task: QueryTask): Promise<Float32Array> {
    return makeSyntheticEmbeddings(1, this.dimensions, text.length + 7);
  }
}
