/** Shared test helpers: a fake server per test, corpora, a log-capturing logger. */
import type { Logger } from '../../../src/core/types';
import { fakeEmbedding, startFakeDashScope, textHash, type FakeDashScope, type FakeDashScopeOptions } from '../../fake-dashscope/server';

export const TEST_KEY = 'sk-TESTKEY0123456789abcdefSECRET';

/** Fast retries for tests (real defaults are 500 ms base, 30 s cap). */
export const FAST_TUNING = { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 30 } as const;

export async function withFake<T>(options: FakeDashScopeOptions, fn: (fake: FakeDashScope) => Promise<T>): Promise<T> {
  const fake = await startFakeDashScope(options);
  try {
    return await fn(fake);
  } finally {
    await fake.close();
  }
}

const TOPICS = [
  'parse the HTTP header and return the content type',
  'open a database connection pool with retries',
  'render the sidebar tree view with icons',
  '计算向量之间的余弦相似度并排序',
  'write the manifest atomically with fsync and rename',
  'tokenize markdown sections into chunks',
];

/** `n` distinct, realistic texts (code-ish, prose, CJK). */
export function corpus(n: number, prefix = 'doc'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix} ${i}: ${TOPICS[i % TOPICS.length]} (variant ${i})`);
}

export interface CapturingLogger extends Logger {
  readonly lines: string[];
}

export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  };
}

export function sameVector(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function expectedDocVector(text: string, dims = 1024, model = 'text-embedding-v4'): Float32Array {
  return fakeEmbedding(text, { model, dims, textType: 'document' });
}

/** Every text delivered exactly once by the server. */
export function deliveredOnce(fake: FakeDashScope, texts: readonly string[]): boolean {
  return texts.every((t) => fake.counters.embedCounts.get(textHash(t)) === 1);
}
