/**
 * Near-duplicate FILES: "this note ≈ that note", one row per pair of files with the share that
 * matches — not one row per matching chunk (a copied note used to read as four rows, and
 * two-line snippets, identical frontmatter and man-page boilerplate filled the list).
 *
 * - Notes and docs (`kind: 'doc'`) are compared whole, by their text: a pair is kept when the
 *   share of their words in runs both contain (textOverlap.ts) is ≥ `minShare` (default 50 %).
 *   Frontmatter never counts, and runs found in ≥ `boilerplateFiles` notes (templates, licences,
 *   footers) count neither as shared nor as content. The score is the cosine of the whole-note
 *   vectors (token-weighted mean of the chunk vectors, frontmatter and boilerplate chunks left
 *   out); matching chunks become the places to open.
 * - Code is compared per chunk, and only chunks of at least `minCodeTokens` (default 40) and
 *   `minCodeLines` (3): imports and closing braces match everything and mean nothing. A pair of
 *   files gets one row; its share is the part of both files' tokens in matching chunks.
 * - Threshold: cosine 0.95 of matching chunks. Offline LSA vectors are low-rank, so texts on the
 *   same subject easily reach 0.95 without being copies: offline confirms each code pair by text
 *   (Jaccard of the chunks' term sets ≥ 0.7), and notes are always confirmed by text. (Offline
 *   once used 0.98: a function copied into a file with another path reads ≈ 0.97 there.)
 * - A file is never its own duplicate (sliding windows overlap by design).
 *
 * Maps onto the CLI contract `{"pairs": [{"a", "b", "share", "score", "kind", "places"}]}`.
 */
import type { AnalysisInput } from '../engineTypes';
import type { ChunkInfo, ChunkKind } from '../types';
import { tokenize } from '../text/tokenize';
import { pairsAbove, type RowPair } from './rowPairs';
import { boilerplateShare, pairsSharingRuns, runFrequencies, sharedShare, shingle, type ShingledText } from './textOverlap';
import { dot, normalizeInPlace, round } from './vectors';

export interface DuplicateOptions {
  /** Cosine threshold of matching chunks. Default 0.95. */
  readonly threshold?: number;
  /** Notes: minimum share of matching words. Default 0.5. */
  readonly minShare?: number;
  /** Code chunks with fewer estimated tokens are ignored. Default 40. */
  readonly minCodeTokens?: number;
  /** Code chunks with fewer lines are ignored. Default 3. */
  readonly minCodeLines?: number;
  /** A run of words found in this many notes is boilerplate. Default 4. */
  readonly boilerplateFiles?: number;
  /** Confirm code pairs by text similarity. Default: only for the offline provider. */
  readonly confirmByText?: boolean;
  /** Minimum Jaccard of term sets when confirming code by text. Default 0.7. */
  readonly minTextSimilarity?: number;
  /** Force a pair search (tests, benchmarks); default `auto` picks by the cost of the exact search. */
  readonly method?: 'auto' | 'exact' | 'lsh';
  readonly signal?: AbortSignal;
}

export interface DuplicateSpan { readonly startLine: number; readonly endLine: number }

/** Where the two files match: open `a` and `b` side by side here. */
export interface DuplicatePlace { readonly a: DuplicateSpan; readonly b: DuplicateSpan; readonly score: number }

export interface DuplicatePair {
  /** POSIX paths, `a` < `b`. */
  readonly a: string;
  readonly b: string;
  readonly kind: ChunkKind;
  /** Share (0–1) of the two files' content that matches the other file. */
  readonly share: number;
  /** Cosine: of the whole notes (doc) / mean of the matching chunks (code). */
  readonly score: number;
  /** Matching chunks, best first (a note copied whole may have none: then open both at the top). */
  readonly places: readonly DuplicatePlace[];
}

export interface DuplicatesResult {
  /** Highest share first. */
  readonly pairs: readonly DuplicatePair[];
  readonly threshold: number;
  readonly minShare: number;
  readonly method: 'exact' | 'lsh';
}

export const REMOTE_DUPLICATE_THRESHOLD = 0.95;
export const OFFLINE_DUPLICATE_THRESHOLD = 0.95;
const DOC_CHUNK_MIN_TOKENS = 20;
/** A chunk whose runs are mostly boilerplate stays out of its note's vector. */
const BOILERPLATE_CHUNK = 0.8;
const MAX_PLACES = 5;

interface FileInfo {
  readonly path: string;
  readonly kind: ChunkKind;
  readonly chunks: readonly number[];
  readonly tokens: number;
}

export async function findDuplicates(input: AnalysisInput, options: DuplicateOptions = {}): Promise<DuplicatesResult> {
  const offline = input.provider === 'offline';
  const threshold = options.threshold ?? (offline ? OFFLINE_DUPLICATE_THRESHOLD : REMOTE_DUPLICATE_THRESHOLD);
  const minShare = options.minShare ?? 0.5;
  const files = filesOf(input.chunks);
  const texts = new TextCache(input);

  // Note texts (frontmatter cut off) and their runs: boilerplate is known before anything pairs.
  const docFiles = files.filter((f) => f.kind === 'doc');
  const noteRuns = new Map<string, ShingledText>();
  const bodyLines = new Map<string, { lines: readonly string[]; bodyStart: number }>();
  for (const f of docFiles) {
    options.signal?.throwIfAborted();
    const lines = await texts.lines(f);
    if (!lines) continue;
    const bodyStart = frontmatterEnd(lines) + 1;
    bodyLines.set(f.path, { lines, bodyStart });
    noteRuns.set(f.path, shingle(lines.slice(bodyStart).join('\n')));
  }
  const df = runFrequencies(noteRuns.values());
  const boilerplateFiles = Math.max(3, options.boilerplateFiles ?? 4);
  const boilerplate = (h: number) => (df.get(h) ?? 0) >= boilerplateFiles;

  // Chunks that carry a note's content: not frontmatter, not mostly boilerplate.
  const contentChunk = new Set<number>();
  for (const f of docFiles) {
    const body = bodyLines.get(f.path);
    if (!body) continue;
    for (const ci of f.chunks) {
      const c = input.chunks[ci];
      const text = body.lines.slice(Math.max(c.startLine - 1, body.bodyStart), c.endLine).join('\n');
      if (text.trim() && boilerplateShare(shingle(text), boilerplate) < BOILERPLATE_CHUNK) contentChunk.add(ci);
    }
  }

  // Matching chunks: note chunks with content, code chunks above the minimum size.
  const minCodeTokens = options.minCodeTokens ?? 40;
  const minCodeLines = options.minCodeLines ?? 3;
  const eligible = input.chunks
    .map((_, i) => i)
    .filter((i) => {
      const c = input.chunks[i];
      return c.kind === 'doc'
        ? contentChunk.has(i) && c.tokens >= DOC_CHUNK_MIN_TOKENS
        : c.tokens >= minCodeTokens && c.endLine - c.startLine + 1 >= minCodeLines;
    })
    .sort((x, y) => cmpChunks(input.chunks, x, y));
  const chunkRows = unitRows(input, eligible.map((ci) => [ci]));
  const found = pairsAbove(chunkRows, eligible.length, input.dims, threshold, options.method, options.signal);
  const chunkPairs = found.pairs
    .map((p) => ({ a: eligible[p.a], b: eligible[p.b], cos: p.cos }))
    .filter((p) => input.chunks[p.a].path !== input.chunks[p.b].path && input.chunks[p.a].kind === input.chunks[p.b].kind);

  const byFiles = new Map<string, RowPair[]>();
  for (const p of chunkPairs) {
    const [x, y] = input.chunks[p.a].path < input.chunks[p.b].path ? [p.a, p.b] : [p.b, p.a];
    const key = `${input.chunks[x].path}\n${input.chunks[y].path}`;
    let list = byFiles.get(key);
    if (!list) byFiles.set(key, (list = []));
    list.push({ a: x, b: y, cos: p.cos });
  }
  const placesOf = (key: string) =>
    (byFiles.get(key) ?? [])
      .slice()
      .sort((p, q) => q.cos - p.cos || input.chunks[p.a].startLine - input.chunks[q.a].startLine)
      .slice(0, MAX_PLACES)
      .map((p) => ({ a: span(input.chunks[p.a]), b: span(input.chunks[p.b]), score: round(p.cos) }));

  const out: DuplicatePair[] = [];

  // Notes: every pair that shares enough runs of words is compared whole; the text decides, the
  // whole-note vectors give the score. (Candidates from vectors alone missed copies whose headers
  // differ: offline, `deployment.md` and its copy were below any sane cosine.)
  const notes = docFiles.filter((f) => noteRuns.has(f.path) && f.chunks.some((ci) => contentChunk.has(ci)));
  const noteRows = unitRows(input, notes.map((f) => f.chunks.filter((ci) => contentChunk.has(ci))));
  const noteIndex = new Map(notes.map((f, i) => [f.path, i]));
  const candidates = new Map<string, RowPair>();
  const bodies = new Map(notes.map((f) => [f.path, noteRuns.get(f.path)!]));
  for (const [a, b] of pairsSharingRuns(bodies, boilerplate, minShare / 2)) {
    const ia = noteIndex.get(a)!;
    const ib = noteIndex.get(b)!;
    candidates.set(`${a}\n${b}`, { a: ia, b: ib, cos: dot(noteRows, ia * input.dims, noteRows, ib * input.dims, input.dims) });
  }
  for (const [key, { cos }] of candidates) {
    options.signal?.throwIfAborted();
    const [a, b] = key.split('\n');
    const share = sharedShare(noteRuns.get(a)!, noteRuns.get(b)!, boilerplate);
    if (share >= minShare) out.push({ a, b, kind: 'doc', share: round(share), score: round(Math.max(0, Math.min(1, cos))), places: placesOf(key) });
  }

  // Code: one row per pair of files with matching chunks (offline: confirmed by text).
  const confirm = options.confirmByText ?? offline;
  const minJaccard = options.minTextSimilarity ?? 0.7;
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const [key, list] of byFiles) {
    const [a, b] = key.split('\n');
    if (byPath.get(a)?.kind !== 'code') continue;
    const kept: RowPair[] = [];
    for (const p of list) if (!confirm || jaccard(await texts.terms(p.a), await texts.terms(p.b)) >= minJaccard) kept.push(p);
    if (!kept.length) continue;
    byFiles.set(key, kept);
    const tokensOf = (ids: Iterable<number>) => [...new Set(ids)].reduce((s, ci) => s + Math.max(1, input.chunks[ci].tokens), 0);
    const total = byPath.get(a)!.tokens + byPath.get(b)!.tokens;
    const share = Math.min(1, (tokensOf(kept.map((p) => p.a)) + tokensOf(kept.map((p) => p.b))) / Math.max(1, total));
    const score = kept.reduce((s, p) => s + p.cos, 0) / kept.length;
    out.push({ a, b, kind: 'code', share: round(share), score: round(score), places: placesOf(key) });
  }

  out.sort((x, y) => y.share - x.share || y.score - x.score || cmp(x.a, y.a) || cmp(x.b, y.b));
  return { pairs: out, threshold, minShare, method: found.method };
}

function filesOf(chunks: readonly ChunkInfo[]): FileInfo[] {
  const byPath = new Map<string, number[]>();
  chunks.forEach((c, i) => {
    let list = byPath.get(c.path);
    if (!list) byPath.set(c.path, (list = []));
    list.push(i);
  });
  return [...byPath.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([path, ids]) => {
      ids.sort((x, y) => cmpChunks(chunks, x, y));
      return {
        path,
        kind: ids.some((i) => chunks[i].kind === 'doc') ? 'doc' : 'code',
        chunks: ids,
        tokens: ids.reduce((s, i) => s + Math.max(1, chunks[i].tokens), 0),
      };
    });
}

/** One unit row per group: the token-weighted mean of the group's normalised chunk vectors. */
function unitRows(input: AnalysisInput, groups: readonly (readonly number[])[]): Float32Array {
  const { dims, vectors, chunks } = input;
  const out = new Float32Array(groups.length * dims);
  const unit = new Float32Array(dims);
  groups.forEach((ids, r) => {
    for (const ci of ids) {
      unit.set(vectors.subarray(ci * dims, ci * dims + dims));
      normalizeInPlace(unit);
      const w = ids.length > 1 ? Math.max(1, chunks[ci].tokens) : 1;
      for (let d = 0; d < dims; d++) out[r * dims + d] += w * unit[d];
    }
    normalizeInPlace(out, r * dims, dims);
  });
  return out;
}

/** Reads each file once (the lines its chunks cover) and each chunk's term set once. */
class TextCache {
  private readonly files = new Map<string, Promise<string[] | undefined>>();
  private readonly termSets = new Map<number, Set<string>>();
  constructor(private readonly input: AnalysisInput) {}

  lines(file: FileInfo): Promise<string[] | undefined> {
    let p = this.files.get(file.path);
    if (!p) {
      const endLine = Math.max(...file.chunks.map((ci) => this.input.chunks[ci].endLine));
      const whole = { ...this.input.chunks[file.chunks[0]], startLine: 1, endLine };
      p = this.input.readText(whole).then((t) => t?.split('\n'));
      this.files.set(file.path, p);
    }
    return p;
  }

  async terms(ci: number): Promise<Set<string>> {
    let t = this.termSets.get(ci);
    if (!t) this.termSets.set(ci, (t = new Set(tokenize((await this.input.readText(this.input.chunks[ci])) ?? ''))));
    return t;
  }
}

/** Last line (0-based) of a YAML frontmatter block at the very top, or -1 when there is none. */
export function frontmatterEnd(lines: readonly string[]): number {
  if (!lines.length || lines[0].replace(/^\uFEFF/, '').trimEnd() !== '---') return -1;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].trimEnd();
    if (l === '---' || l === '...') return i;
  }
  return -1;
}

const span = (c: ChunkInfo): DuplicateSpan => ({ startLine: c.startLine, endLine: c.endLine });

function cmpChunks(chunks: readonly ChunkInfo[], x: number, y: number): number {
  return cmp(chunks[x].path, chunks[y].path) || chunks[x].startLine - chunks[y].startLine || x - y;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  const union = a.size + b.size - inter;
  return union ? inter / union : 1;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
