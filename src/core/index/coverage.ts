/**
 * Coverage: how much of what discovery found is in the index, what is missing and why. Part of
 * the index's state: written next to the manifest (`coverage.json`, atomically, naming the
 * manifest generation it describes) after every run, so a restart, the CLI and the agent tools
 * all read the same truth. An index that stopped halfway is never "up to date": `complete` is true
 * only when every discovered file is indexed with its current content (skipped files are listed
 * with their reason and do not count as missing).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CoverageSummary, MissingReason } from '../engineTypes';
import type { SkippedFile } from '../types';
import { replaceAtomic } from './binio';
import type { Manifest } from './manifest';

export const COVERAGE_NAME = 'coverage.json';
const VERSION = 1;
/** Paths kept per reason in the summaries (the file keeps every missing one, and this many skipped). */
const SUMMARY_FILES = 50;
const STORED_SKIPPED = 1000;

export interface MissingFile {
  readonly path: string;
  readonly chunks: number;
  readonly reason: MissingReason;
}

interface StoredCoverage {
  readonly version: number;
  readonly generation: number;
  readonly missing: readonly MissingFile[];
  readonly skipped: readonly { readonly reason: string; readonly count: number; readonly files: readonly string[] }[];
  readonly stoppedBy?: { readonly reason: MissingReason; readonly message: string };
  readonly lastCompleteAt?: string;
  readonly updatedAt: string;
}

export interface CoverageRun {
  readonly spaceDir: string;
  /** The committed manifest after the run (undefined: nothing was ever committed). */
  readonly manifest: Manifest | undefined;
  /** Files this run scanned and (re)chunked, with their chunk counts. */
  readonly processed: readonly { readonly path: string; readonly chunks: number }[];
  /** Which of `processed` were committed with their current content. */
  readonly committed: (path: string) => boolean;
  readonly removed: ReadonlySet<string>;
  readonly skipped: readonly SkippedFile[];
  /** Set for a live update: only these paths were looked at; the rest keeps its previous coverage. */
  readonly paths?: readonly string[];
  /** Why this run stopped short, if it did. */
  readonly stoppedBy?: { readonly reason: MissingReason; readonly message: string };
  readonly now?: Date;
}

/** Records a run's coverage next to its manifest and returns the summary. */
export function recordCoverage(run: CoverageRun): CoverageSummary | undefined {
  if (!run.manifest) return undefined;
  const prev = run.paths ? readStored(run.spaceDir) : undefined;
  const looked = new Set([...(run.paths ?? []), ...run.processed.map((p) => p.path), ...run.removed]);
  const reason: MissingReason = run.stoppedBy?.reason ?? 'error';
  const missing: MissingFile[] = [
    ...(prev?.missing ?? []).filter((f) => !looked.has(f.path)),
    ...run.processed.filter((p) => !run.committed(p.path)).map((p) => ({ path: p.path, chunks: p.chunks, reason })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const skipped = mergeSkipped(run.paths ? prev?.skipped ?? [] : [], looked, run.skipped);
  const complete = missing.length === 0;
  const updatedAt = (run.now ?? new Date()).toISOString();
  const before = prev ?? readStored(run.spaceDir);
  const stoppedBy = run.stoppedBy ?? (run.paths ? prev?.stoppedBy : undefined);
  const lastCompleteAt = complete ? updatedAt : before?.lastCompleteAt;
  const stored: StoredCoverage = {
    version: VERSION,
    generation: run.manifest.generation,
    missing,
    skipped,
    ...(!complete && stoppedBy ? { stoppedBy } : {}),
    ...(lastCompleteAt ? { lastCompleteAt } : {}),
    updatedAt,
  };
  replaceAtomic(run.spaceDir, COVERAGE_NAME, JSON.stringify(stored));
  return summarize(stored, run.manifest);
}

/**
 * The coverage of the committed generation. A missing or outdated file (a crash between the
 * manifest and the coverage write, or an index older than coverage) falls back to the manifest's
 * own `complete` flag, without the per-file detail.
 */
export function readCoverage(spaceDir: string, manifest: Manifest): CoverageSummary {
  const stored = readStored(spaceDir);
  if (stored && stored.generation === manifest.generation) return summarize(stored, manifest);
  const files = manifest.files.paths.length;
  return {
    complete: manifest.complete,
    files: { indexed: files, discovered: files },
    chunks: { indexed: manifest.chunkCount, discovered: manifest.chunkCount },
    missing: [],
    skipped: [],
    ...(manifest.complete ? { lastCompleteAt: manifest.updatedAt } : { stoppedBy: { reason: 'error', message: 'The last run stopped early; run Index Workspace to resume.' } }),
    updatedAt: manifest.updatedAt,
    detail: false,
  };
}

function summarize(s: StoredCoverage, m: Manifest): CoverageSummary {
  const inManifest = new Map<string, number>();
  m.files.paths.forEach((p, i) => inManifest.set(p, m.files.counts[i]));
  let staleFiles = 0, staleChunks = 0, newChunks = 0, newFiles = 0;
  const byReason = new Map<string, { reason: MissingReason; count: number; chunks: number; files: string[] }>();
  for (const f of s.missing) {
    const old = inManifest.get(f.path);
    if (old !== undefined) {
      staleFiles++;
      staleChunks += old;
    } else newFiles++;
    newChunks += f.chunks;
    const g = byReason.get(f.reason) ?? { reason: f.reason, count: 0, chunks: 0, files: [] };
    g.count++;
    g.chunks += f.chunks;
    if (g.files.length < SUMMARY_FILES) g.files.push(f.path);
    byReason.set(f.reason, g);
  }
  const filesIndexed = m.files.paths.length - staleFiles;
  const chunksIndexed = m.chunkCount - staleChunks;
  return {
    complete: s.missing.length === 0,
    files: { indexed: filesIndexed, discovered: filesIndexed + staleFiles + newFiles },
    chunks: { indexed: chunksIndexed, discovered: chunksIndexed + newChunks },
    missing: [...byReason.values()].sort((a, b) => b.count - a.count),
    skipped: s.skipped.map((g) => ({ reason: g.reason, count: g.count, files: g.files.slice(0, SUMMARY_FILES) })),
    ...(s.stoppedBy && s.missing.length ? { stoppedBy: s.stoppedBy } : {}),
    ...(s.lastCompleteAt ? { lastCompleteAt: s.lastCompleteAt } : {}),
    updatedAt: s.updatedAt,
    detail: true,
  };
}

function mergeSkipped(prev: StoredCoverage['skipped'], looked: ReadonlySet<string>, now: readonly SkippedFile[]): StoredCoverage['skipped'] {
  const groups = new Map<string, { reason: string; count: number; files: string[] }>();
  const add = (reason: string, file: string) => {
    const g = groups.get(reason) ?? { reason, count: 0, files: [] };
    g.count++;
    if (g.files.length < STORED_SKIPPED) g.files.push(file);
    groups.set(reason, g);
  };
  for (const g of prev) {
    // Counts beyond the stored paths cannot be re-checked against `looked`: kept as they were.
    for (const f of g.files) if (!looked.has(f)) add(g.reason, f);
    const extra = g.count - g.files.length;
    if (extra > 0) {
      const ng = groups.get(g.reason) ?? { reason: g.reason, count: 0, files: [] };
      ng.count += extra;
      groups.set(g.reason, ng);
    }
  }
  for (const s of now) add(s.reason, s.path);
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

function readStored(spaceDir: string): StoredCoverage | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(spaceDir, COVERAGE_NAME), 'utf8')) as StoredCoverage;
    if (s && s.version === VERSION && Number.isInteger(s.generation) && Array.isArray(s.missing) && Array.isArray(s.skipped)) return s;
  } catch {
    // Missing or damaged: the manifest's own flag stands in (readCoverage).
  }
  return undefined;
}
