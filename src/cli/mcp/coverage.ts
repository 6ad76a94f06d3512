/**
 * Coverage in the agents' answers: an index that stopped halfway is never "up to date", and every
 * result over it says so — the same truth the status bar and `status --json` show, read from the
 * coverage persisted with the index (src/core/index/coverage.ts). An agent that is not told would
 * conclude "there is no such code" from a search that never saw the missing files.
 */
import type { CoverageSummary, MissingReason } from '../../core/engineTypes';
import type { ProviderId } from '../../core/types';
import type { FolderStatus, McpFolder } from './folders';

function serviceName(provider: ProviderId): string {
  return provider === 'dashscope' ? 'DashScope' : provider === 'openai' ? 'the embedding server' : 'the offline embedder';
}

/** The reason in the UI's words (src/extension/coverageText.ts says the same, localized). */
export function reasonWords(reason: MissingReason | string | undefined, provider: ProviderId): string {
  switch (reason) {
    case 'auth': return 'API key rejected';
    case 'quota': return 'account in arrears or quota used up';
    case 'network': return `${serviceName(provider)} unreachable`;
    case 'throttled': return 'still rate-limited';
    case 'server': return `${serviceName(provider)} server errors`;
    case 'badInput': return 'request rejected';
    case 'cancelled': return 'cancelled';
    case 'budget': return 'token budget reached';
    default: return 'stopped early';
  }
}

/** The reason that left out the most files (the one that stopped the run when none is listed). */
export function mainReason(c: CoverageSummary): MissingReason {
  return c.missing[0]?.reason ?? c.stoppedBy?.reason ?? 'error';
}

/** "Incomplete: 66 of 139 files — DashScope unreachable" (no percentage, never "up to date"). */
export function incompleteLine(c: CoverageSummary, provider: ProviderId): string {
  return `Incomplete: ${c.files.indexed.toLocaleString('en')} of ${c.files.discovered.toLocaleString('en')} files — ${reasonWords(mainReason(c), provider)}`;
}

/**
 * The UI's rule (the status bar's "ready" state): the index exists and covers every discovered
 * file. Here also: no build is running and no file changed since the last update.
 */
export function isUpToDate(s: FolderStatus): boolean {
  return s.exists && s.complete !== false && s.coverage?.complete !== false && !s.building && s.stale.length === 0;
}

/** What a result tool carries as `coverage` in structuredContent (one folder, or the sum of several). */
export interface CoverageBrief {
  readonly complete: boolean;
  readonly files: { readonly indexed: number; readonly discovered: number };
  readonly chunks: { readonly indexed: number; readonly discovered: number };
  /** The main reason for what is missing, its words, and the actionable message of the run that stopped. */
  readonly reason?: MissingReason;
  readonly reasonText?: string;
  readonly message?: string;
  readonly folders?: readonly (CoverageBrief & { readonly folder: string })[];
}

function brief(c: CoverageSummary, provider: ProviderId): CoverageBrief {
  if (c.complete) return { complete: true, files: c.files, chunks: c.chunks };
  const reason = mainReason(c);
  return { complete: false, files: c.files, chunks: c.chunks, reason, reasonText: reasonWords(reason, provider), ...(c.stoppedBy ? { message: c.stoppedBy.message } : {}) };
}

/**
 * The coverage of the folders a result came from: the note for the answer's text (only when some
 * folder is incomplete) and the `coverage` field of its structuredContent.
 */
export async function resultCoverage(folders: readonly McpFolder[], multi: boolean): Promise<{ notes: string[]; coverage?: CoverageBrief }> {
  const per: (CoverageBrief & { folder: string })[] = [];
  const notes: string[] = [];
  for (const folder of folders) {
    const c = (await folder.engine.status()).coverage;
    if (!c) continue;
    per.push({ folder: folder.name, ...brief(c, folder.provider) });
    if (!c.complete) {
      notes.push(
        `The index${multi ? ` of ${folder.name}` : ''} is incomplete — ${incompleteLine(c, folder.provider)} (${c.chunks.indexed.toLocaleString('en')} of ${c.chunks.discovered.toLocaleString('en')} chunks): ` +
          'results may miss the rest, so do not conclude that something is absent. Call "reindex" to resume (what was embedded is kept).',
      );
    }
  }
  if (!per.length) return { notes };
  if (per.length === 1) {
    const { folder: _folder, ...only } = per[0];
    return { notes, coverage: only };
  }
  const sum = (pick: (b: CoverageBrief) => { indexed: number; discovered: number }) => ({
    indexed: per.reduce((n, b) => n + pick(b).indexed, 0),
    discovered: per.reduce((n, b) => n + pick(b).discovered, 0),
  });
  const worst = per.filter((b) => !b.complete).sort((a, b) => (b.files.discovered - b.files.indexed) - (a.files.discovered - a.files.indexed))[0];
  return {
    notes,
    coverage: {
      complete: !worst,
      files: sum((b) => b.files),
      chunks: sum((b) => b.chunks),
      ...(worst ? { reason: worst.reason, reasonText: worst.reasonText, ...(worst.message ? { message: worst.message } : {}) } : {}),
      folders: per,
    },
  };
}

/** The coverage lines of `index_status` for one folder (paths as agents see them). */
export function coverageLines(c: CoverageSummary, provider: ProviderId, out: (p: string) => string): string[] {
  const list = (files: readonly string[], count: number) =>
    `${files.slice(0, 10).map(out).join(', ')}${count > Math.min(10, files.length) ? `, … (${count - Math.min(10, files.length)} more)` : ''}`;
  const lines: string[] = [];
  if (!c.complete) {
    lines.push(`  ${incompleteLine(c, provider)} · ${c.chunks.indexed.toLocaleString('en')} of ${c.chunks.discovered.toLocaleString('en')} chunks. Call "reindex" to resume (what was embedded is kept).`);
    if (c.stoppedBy) lines.push(`  Stopped by: ${c.stoppedBy.message}`);
    for (const m of c.missing) lines.push(`  missing — ${reasonWords(m.reason, provider)}: ${m.count} file(s), ${m.chunks} chunk(s): ${list(m.files, m.count)}`);
    if (!c.detail) lines.push('  (an index from before coverage was recorded: which files are missing is not known)');
  } else {
    lines.push(`  Complete: ${c.files.indexed.toLocaleString('en')} of ${c.files.discovered.toLocaleString('en')} files, ${c.chunks.indexed.toLocaleString('en')} chunks.`);
  }
  for (const s of c.skipped) lines.push(`  skipped by policy — ${s.reason}: ${s.count} file(s): ${list(s.files, s.count)}`);
  lines.push(`  Last complete: ${c.lastCompleteAt ?? 'never'}.`);
  return lines;
}

/** The coverage summary with workspace paths prefixed by the folder's name (several folders). */
export function coverageOut(c: CoverageSummary, out: (p: string) => string): CoverageSummary {
  return {
    ...c,
    missing: c.missing.map((m) => ({ ...m, files: m.files.map(out) })),
    skipped: c.skipped.map((s) => ({ ...s, files: s.files.map(out) })),
  };
}
