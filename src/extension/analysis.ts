/**
 * The analysis features (topics, tags, related, outliers, duplicates) reach the core through the
 * engine. `engineTypes.ts` does not declare these methods yet, so they are detected at run time:
 * the signatures below are what this extension expects the engine to add. Until then: topics and
 * outliers run the core's `clusterNotes` over `loadForAnalysis()`; classify is a cosine over
 * `embedTexts`; related is a similarity search with the file's own text; duplicates say they are
 * not available instead of guessing.
 */
import { clusterNotes as coreClusterNotes, type ClusterNotesOptions, type NoteClustering } from '../core/analysis/clusterNotes';
import type { Engine } from '../core/engineTypes';
import type { ChunkInfo, QueryTask } from '../core/types';

export type { NoteClustering };

export interface LabelScore { readonly label: string; readonly score: number }
export interface RelatedFile { readonly path: string; readonly score: number }
export interface DuplicatePair { readonly a: ChunkInfo; readonly b: ChunkInfo; readonly score: number }

/** The engine methods this extension needs (to be added to `Engine` by the core). */
export interface AnalysisMethods {
  clusterNotes(options?: ClusterNotesOptions & { readonly signal?: AbortSignal }): Promise<NoteClustering>;
  classify(text: string, labels: readonly { readonly label: string; readonly description?: string }[], options?: { readonly signal?: AbortSignal }): Promise<LabelScore[]>;
  related(path: string, options?: { readonly topK?: number; readonly signal?: AbortSignal }): Promise<RelatedFile[]>;
  duplicates(options?: { readonly threshold?: number; readonly signal?: AbortSignal }): Promise<DuplicatePair[]>;
}

export class NotAvailable extends Error {
  constructor(readonly feature: keyof AnalysisMethods) {
    super(`engine.${feature} is not available`);
  }
}

function method<K extends keyof AnalysisMethods>(engine: Engine, name: K): AnalysisMethods[K] | undefined {
  const fn = (engine as Engine & Partial<AnalysisMethods>)[name];
  return typeof fn === 'function' ? (fn.bind(engine) as AnalysisMethods[K]) : undefined;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

const EMPTY: NoteClustering = { topics: [], outliers: [], notes: 0, k: 0, outlierThreshold: 0 };

/** Notes → topics (+ outliers and 2-D map coordinates). Also the source of `findOutliers`. */
export async function clusterNotes(engine: Engine, options: ClusterNotesOptions & { readonly signal?: AbortSignal }): Promise<NoteClustering> {
  const fn = method(engine, 'clusterNotes');
  if (fn) return fn(options);
  const input = await engine.loadForAnalysis();
  options.signal?.throwIfAborted();
  return input ? coreClusterNotes(input, { notesGlobs: options.notesGlobs }) : EMPTY;
}

export async function classify(engine: Engine, text: string, labels: readonly { label: string; description?: string }[], signal?: AbortSignal): Promise<LabelScore[]> {
  const fn = method(engine, 'classify');
  if (fn) return fn(text, labels, { signal });
  // Zero-shot fallback: the selection as a classification query against each label as a document.
  const task: QueryTask = 'classification';
  const [query] = await engine.embedTexts([text], task, signal);
  const docs = await engine.embedTexts(labels.map((l) => (l.description ? `${l.label}: ${l.description}` : l.label)), 'document', signal);
  return labels.map((l, i) => ({ label: l.label, score: cosine(query!, docs[i]!) })).sort((a, b) => b.score - a.score);
}

export async function related(engine: Engine, path: string, text: string, topK: number, signal?: AbortSignal): Promise<RelatedFile[]> {
  const fn = method(engine, 'related');
  if (fn) return fn(path, { topK, signal });
  // Fallback: search with the file's opening text; keep each other file's best chunk.
  const hits = await engine.search(text.slice(0, 4000), { topK: topK * 4, task: 'similarity', signal });
  const best = new Map<string, number>();
  for (const h of hits) if (h.chunk.path !== path && !best.has(h.chunk.path)) best.set(h.chunk.path, h.score);
  return [...best].map(([p, score]) => ({ path: p, score })).slice(0, topK);
}

export function duplicates(engine: Engine, options: Parameters<AnalysisMethods['duplicates']>[0]): Promise<DuplicatePair[]> {
  const fn = method(engine, 'duplicates');
  if (!fn) throw new NotAvailable('duplicates');
  return fn(options);
}
