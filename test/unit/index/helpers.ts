/**
 * Shared helpers of the index tests: real temp folders, and a tiny deterministic Embedder test
 * double (words hashed into buckets) that can be told to fail or cancel after N batches — the
 * real HTTP embedders are tested against the fake DashScope server elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempDir as sharedTempDir } from '../../support/tempDir';
import { EmbedError } from '../../../src/core/embedding/errors';
import type { EmbedOptions, Embedder } from '../../../src/core/types';

export function tempDir(prefix = 'sw-index-'): string {
  return sharedTempDir(prefix);
}

export interface Workspace {
  readonly root: string;
  readonly indexDir: string;
  write(rel: string, text: string): void;
  remove(rel: string): void;
}

export function workspace(files: Record<string, string>): Workspace {
  const base = tempDir();
  const root = path.join(base, 'ws');
  const indexDir = path.join(base, 'index');
  fs.mkdirSync(root);
  const write = (rel: string, text: string) => {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    // mtime resolution can be coarse: make every write visible to the mtime+size check.
    const t = new Date(Date.now() + Math.floor(Math.random() * 1e6));
    fs.utimesSync(abs, t, t);
  };
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  return { root, indexDir, write, remove: (rel) => fs.rmSync(path.join(root, rel)) };
}

/** A TypeScript file of `n` small functions (one chunk each with the default chunker). */
export function tsFile(name: string, n: number, body = (i: number) => `return ${name}Value${i} * ${i + 1};`): string {
  let out = '';
  for (let i = 0; i < n; i++) out += `export function ${name}Fn${i}(x: number): number {\n  // ${name} step ${i}\n  ${body(i)}\n}\n\n`;
  return out;
}

export interface HashEmbedderOptions {
  readonly dims?: number;
  readonly model?: string;
  readonly batchSize?: number;
  /** Throw EmbedError('network') instead of running batch N+1. */
  readonly failAfterBatches?: number;
  /** Abort this controller after N batches (the embedder then throws 'cancelled'). */
  readonly cancelAfter?: { readonly batches: number; readonly controller: AbortController };
  /** Milliseconds slept per batch (for kill tests). */
  readonly delayMs?: number;
}

export class HashEmbedder implements Embedder {
  readonly provider = 'openai' as const;
  readonly dimensions: number;
  readonly fingerprint: string;
  readonly label: string;
  /** Every text sent, in order. */
  readonly sent: string[] = [];
  batches = 0;

  constructor(private readonly opts: HashEmbedderOptions = {}) {
    this.dimensions = opts.dims ?? 32;
    const model = opts.model ?? 'hash-a';
    this.fingerprint = `test:${model}:d${this.dimensions}`;
    this.label = `hash ${model}`;
  }

  vector(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    for (const w of text.toLowerCase().split(/\W+/).filter(Boolean)) {
      let h = 2166136261;
      for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
      v[(h >>> 0) % this.dimensions] += 1;
    }
    let n = 0;
    for (const x of v) n += x * x;
    if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= Math.sqrt(n);
    return v;
  }

  async embedDocuments(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const size = this.opts.batchSize ?? 4;
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += size) {
      if (options.signal?.aborted) throw new EmbedError('cancelled', 'cancelled');
      if (this.opts.failAfterBatches !== undefined && this.batches >= this.opts.failAfterBatches) {
        throw new EmbedError('network', 'network down (test)');
      }
      if (this.opts.delayMs) await new Promise((r) => setTimeout(r, this.opts.delayMs));
      const idx: number[] = [];
      const vecs: Float32Array[] = [];
      for (let i = start; i < Math.min(texts.length, start + size); i++) {
        this.sent.push(texts[i]);
        const v = this.vector(texts[i]);
        idx.push(i);
        vecs.push(v);
        out.push(v);
      }
      this.batches++;
      options.onEmbedded?.(idx, vecs);
      if (this.opts.cancelAfter && this.batches >= this.opts.cancelAfter.batches) this.opts.cancelAfter.controller.abort();
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return this.vector(text);
  }
}

export function filesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
