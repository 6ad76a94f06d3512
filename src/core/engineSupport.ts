/** Small helpers of engine.ts: the learned-dimensions file and an embedder's request counts. */
import fs from 'node:fs';
import path from 'node:path';
import type { Embedder } from './types';

/** Vector lengths an OpenAI-compatible server told an earlier run, by `…/auto/…` fingerprint. */
export const DIMENSIONS_FILE = 'dimensions.json';

export function readDimensions(indexDir: string): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(indexDir, DIMENSIONS_FILE), 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, number>) : {};
  } catch {
    return {};
  }
}

export function remoteStats(e: Embedder): { requests: number; retries: Record<string, number> } | undefined {
  const s = (e as { stats?: () => { requests: number; retries?: Record<string, number> } }).stats?.();
  return s ? { requests: s.requests, retries: { ...(s.retries ?? {}) } } : undefined;
}

export function diffCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) if (v - (b[k] ?? 0) > 0) out[k] = v - (b[k] ?? 0);
  return out;
}
