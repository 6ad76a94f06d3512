/**
 * Zero-shot multi-label tagging: the text is embedded as a query for the `classification` task,
 * every label (label + description) as a document, and each label is scored on its own.
 *
 * Scores are independent, like Hugging Face's `multi_label=True` (docs/anchors.md §1.6), not a
 * softmax that forces labels to compete: a note can be both `database` and `performance`, or
 * neither. confidence = logistic((score − threshold) / scale): 0.5 exactly at the threshold,
 * ≈ 0.88 one `scale` above, ≈ 0.12 one below. The threshold is BERTopic-style (a cosine cut-off,
 * zeroshot_min_similarity) and configurable; the defaults below are per provider because remote
 * embeddings sit around cosine 0.3–0.5 even for unrelated pairs while offline scores start near 0.
 *
 * Offline (provider `offline`) the LSA vectors know too little to classify on their own, so the
 * score degrades visibly to a blend of keyword overlap and LSA cosine and `mode` says so. Word
 * overlap is weak evidence, so its confidence is bounded: 0.5 + 0.4·tanh((score − threshold) / 0.1)
 * stays inside (0.1, 0.9) — a label whose words all occur in the text never reads "100 %".
 */
import crypto from 'node:crypto';
import type { ProviderId, QueryTask } from '../types';
import { tokenize } from '../text/tokenize';
import type { LabelSpec } from './labels';
import { cosine, round } from './vectors';

export type EmbedAs = 'document' | QueryTask;
/** The caller's embedder port (the engine's `embedTexts`). */
export type EmbedFunction = (texts: readonly string[], as: EmbedAs) => Promise<Float32Array[]>;

export type ClassificationMode = 'embedding' | 'keyword-overlap';

export interface ClassifyOptions {
  readonly provider: ProviderId;
  readonly embed: EmbedFunction;
  /** Label vectors by content hash; keep it across calls (per embedder) to embed each label once. */
  readonly labelCache?: Map<string, Float32Array>;
  /** Part of the cache key, e.g. the index fingerprint, so one Map can serve several embedders. */
  readonly cacheNamespace?: string;
  /** Score at which confidence is 0.5. Default: REMOTE_THRESHOLD or OFFLINE_THRESHOLD. */
  readonly threshold?: number;
  /** Logistic scale (score units per e-fold of odds). Default 0.05. */
  readonly scale?: number;
  /** Longer texts are cut (a remote row takes ≤ 8,192 tokens). Default 6,000 characters. */
  readonly maxTextChars?: number;
}

export interface LabelScore {
  readonly label: string;
  readonly description?: string;
  /** Cosine (embedding mode) or overlap/LSA blend (keyword-overlap mode); higher is better. */
  readonly score: number;
  /** Independent per-label probability-like value in [0, 1]. */
  readonly confidence: number;
  /** confidence ≥ 0.5, i.e. score ≥ threshold: what a UI pre-selects. */
  readonly matched: boolean;
}

/** Maps onto the CLI contract `{"labels": [{"label", "score", "confidence"}]}`. */
export interface Classification {
  /** Every label, best first. */
  readonly labels: readonly LabelScore[];
  readonly threshold: number;
  readonly mode: ClassificationMode;
}

export const REMOTE_THRESHOLD = 0.45;
export const OFFLINE_THRESHOLD = 0.2;
export const DEFAULT_SCALE = 0.05;
/** Keyword-overlap confidence: at most this far from 0.5, reached smoothly over this many score units. */
const OVERLAP_CONFIDENCE_SPAN = 0.4;
const OVERLAP_SCALE = 0.1;
/** Offline blend: keyword overlap carries most weight, LSA cosine catches related wording. */
const OVERLAP_WEIGHT = 0.6;

export function labelDocument(spec: LabelSpec): string {
  return spec.description ? `${spec.label}: ${spec.description}` : spec.label;
}

export function labelCacheKey(spec: LabelSpec, namespace = ''): string {
  return crypto.createHash('sha256').update(`${namespace}\u0000${spec.label}\u0000${spec.description ?? ''}`).digest('hex');
}

export async function classifyText(text: string, labels: readonly LabelSpec[], options: ClassifyOptions): Promise<Classification> {
  const mode: ClassificationMode = options.provider === 'offline' ? 'keyword-overlap' : 'embedding';
  const threshold = options.threshold ?? (mode === 'embedding' ? REMOTE_THRESHOLD : OFFLINE_THRESHOLD);
  const scale = options.scale ?? DEFAULT_SCALE;
  if (!labels.length) return { labels: [], threshold, mode };
  const body = text.slice(0, options.maxTextChars ?? 6000);

  const [query] = await options.embed([body], 'classification');
  const labelVectors = await embedLabels(labels, options);
  const textTerms = mode === 'keyword-overlap' ? new Set(tokenize(body)) : undefined;

  const scored = labels.map((spec, i): LabelScore => {
    const cos = cosine(query, labelVectors[i]);
    const score = textTerms ? OVERLAP_WEIGHT * keywordOverlap(textTerms, spec) + (1 - OVERLAP_WEIGHT) * Math.max(0, cos) : cos;
    const confidence = textTerms
      ? 0.5 + OVERLAP_CONFIDENCE_SPAN * Math.tanh((score - threshold) / OVERLAP_SCALE)
      : 1 / (1 + Math.exp(-(score - threshold) / scale));
    return {
      label: spec.label,
      ...(spec.description ? { description: spec.description } : {}),
      score: round(score),
      confidence: round(confidence),
      matched: score >= threshold,
    };
  });
  scored.sort((a, b) => b.score - a.score || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return { labels: scored, threshold, mode };
}

/** Label vectors from the cache, embedding only the missing ones (in one call). */
async function embedLabels(labels: readonly LabelSpec[], options: ClassifyOptions): Promise<Float32Array[]> {
  const cache = options.labelCache ?? new Map<string, Float32Array>();
  const keys = labels.map((l) => labelCacheKey(l, options.cacheNamespace));
  const missing = [...new Set(keys.filter((k) => !cache.has(k)))];
  if (missing.length) {
    const specs = missing.map((k) => labels[keys.indexOf(k)]);
    const vectors = await options.embed(specs.map(labelDocument), 'document');
    missing.forEach((k, i) => cache.set(k, vectors[i]));
  }
  return keys.map((k) => cache.get(k)!);
}

/**
 * Share of the label's terms found in the text, label terms counting twice as much as description
 * terms (the label is what the user picked; the description only helps). CJK bigrams from
 * `tokenize` let `数据库` match `数据库索引`.
 */
export function keywordOverlap(textTerms: ReadonlySet<string>, spec: LabelSpec): number {
  const weights = new Map<string, number>();
  for (const t of tokenize(spec.description ?? '')) weights.set(t, 1);
  for (const t of tokenize(spec.label)) weights.set(t, 2);
  let total = 0;
  let found = 0;
  for (const [term, w] of weights) {
    total += w;
    if (textTerms.has(term)) found += w;
  }
  return total ? found / total : 0;
}
