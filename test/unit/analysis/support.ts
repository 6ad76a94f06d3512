/**
 * Test support for the analysis suite: the fake DashScope server's vectors (the same function the
 * fake serves over HTTP, called in-process), a fixture-corpus loader that builds a real
 * `AnalysisInput`, and the adjusted Rand index.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChunkInfo, ProviderId } from '../../../src/core/types';
import type { AnalysisInput } from '../../../src/core/engineTypes';
import type { EmbedAs } from '../../../src/core/analysis';
import { QUERY_INSTRUCTIONS } from '../../../src/core/embedding/instructions';
import { fnv1a } from '../../../src/core/text/stringHash';
import { tokenize } from '../../../src/core/text/tokenize';
import { fakeEmbedding } from '../../fake-dashscope/fakeVectors';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/analysis');
/** What the product asks DashScope for by default. */
export const EMBED_MODEL = 'text-embedding-v4';
export const EMBED_DIMS = 1024;

/**
 * Exactly what the fake server answers the DashScope embedder (native route, v4): documents with
 * `text_type=document`, a query task with `text_type=query` and that task's instruction.
 */
export function fakeVector(text: string, as: EmbedAs = 'document', dims = EMBED_DIMS): Float32Array {
  return as === 'document'
    ? fakeEmbedding(text, { model: EMBED_MODEL, dims, textType: 'document' })
    : fakeEmbedding(text, { model: EMBED_MODEL, dims, textType: 'query', instruct: QUERY_INSTRUCTIONS[as] });
}

/** The `embed(texts, as)` port of classifyText, backed by `fakeVector`; records calls for cache tests. */
export function fakeEmbedder(): { embed: (texts: readonly string[], as: EmbedAs) => Promise<Float32Array[]>; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    embed: async (texts, as) => {
      calls.push([...texts]);
      return texts.map((t) => fakeVector(t, as));
    },
  };
}

export interface FixtureCorpus {
  readonly input: AnalysisInput;
  /** The text of every chunk, in `input.chunks` order. */
  readonly chunkTexts: readonly string[];
  /** path → text of every loaded file. */
  readonly files: ReadonlyMap<string, string>;
}

function walk(dir: string, base = dir, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

const LANG: Record<string, string> = { '.md': 'markdown', '.txt': 'text', '.ts': 'typescript', '.py': 'python' };

/**
 * Chunks a file into runs of paragraphs of at least `minWords` words (a stand-in for the real
 * chunker, which analysis does not depend on) and embeds every chunk as a document with the fake
 * server's vectors (or with `options.vectors`, e.g. vectors fetched over HTTP, in chunk order).
 */
export function loadCorpus(
  dirs: readonly string[],
  options: { provider?: ProviderId; minWords?: number; vectors?: readonly Float32Array[] } = {},
): FixtureCorpus {
  const chunks: ChunkInfo[] = [];
  const chunkTexts: string[] = [];
  const rows: Float32Array[] = [];
  const files = new Map<string, string>();
  for (const dir of dirs) {
    const root = path.join(FIXTURES, dir);
    for (const rel of walk(root)) {
      const p = `${dir}/${rel}`;
      const text = fs.readFileSync(path.join(root, rel), 'utf8');
      files.set(p, text);
      const lines = text.split(/\r?\n/);
      let start = -1;
      let words = 0;
      const flush = (end: number) => {
        if (start < 0) return;
        const body = lines.slice(start, end + 1).join('\n');
        chunkTexts.push(body);
        const ext = path.extname(p);
        chunks.push({
          path: p, startLine: start + 1, endLine: end + 1, kind: ext === '.ts' || ext === '.py' ? 'code' : 'doc',
          language: LANG[ext] ?? 'text', symbol: '', hash: String(fnv1a(p + body)), tokens: Math.max(1, tokenize(body).length),
        });
        rows.push(options.vectors?.[chunks.length - 1] ?? fakeVector(body));
        start = -1;
        words = 0;
      };
      lines.forEach((line, i) => {
        if (line.trim() && start < 0) start = i;
        if (line.trim()) words += line.split(/\s+/).length + [...line].filter((c) => /\p{Script=Han}/u.test(c)).length / 2;
        if (!line.trim() && words >= (options.minWords ?? 40)) flush(i - 1);
      });
      let last = lines.length - 1;
      while (last > 0 && !lines[last].trim()) last--;
      flush(last);
    }
  }
  const dims = rows[0]?.length ?? EMBED_DIMS;
  const vectors = new Float32Array(rows.length * dims);
  rows.forEach((r, i) => vectors.set(r, i * dims));
  const input: AnalysisInput = {
    chunks, vectors, dims, provider: options.provider ?? 'dashscope',
    readText: async (c) => files.get(c.path)?.split(/\r?\n/).slice(c.startLine - 1, c.endLine).join('\n'),
  };
  return { input, files, chunkTexts };
}

/** The same corpus with its chunks (and vector rows) in a different order. */
export function shuffled(input: AnalysisInput, seed = 7): AnalysisInput {
  const order = input.chunks.map((_, i) => i);
  let s = seed;
  for (let i = order.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const vectors = new Float32Array(input.vectors.length);
  order.forEach((from, to) => vectors.set(input.vectors.subarray(from * input.dims, (from + 1) * input.dims), to * input.dims));
  return { ...input, chunks: order.map((i) => input.chunks[i]), vectors };
}

/** Adjusted Rand index between two labelings of the same items (Hubert & Arabie). */
export function adjustedRandIndex(truth: readonly string[], predicted: readonly string[]): number {
  const n = truth.length;
  const choose2 = (x: number) => (x * (x - 1)) / 2;
  const table = new Map<string, number>();
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${truth[i]}\u0000${predicted[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    a.set(truth[i], (a.get(truth[i]) ?? 0) + 1);
    b.set(predicted[i], (b.get(predicted[i]) ?? 0) + 1);
  }
  const index = [...table.values()].reduce((s, x) => s + choose2(x), 0);
  const sumA = [...a.values()].reduce((s, x) => s + choose2(x), 0);
  const sumB = [...b.values()].reduce((s, x) => s + choose2(x), 0);
  const expected = (sumA * sumB) / choose2(n);
  const max = (sumA + sumB) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
