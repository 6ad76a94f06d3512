/**
 * The words for coverage and progress: one place, so the status bar, the sidebar's first line,
 * the progress notification and the summary say the same thing. "Up to date" is only ever said
 * of a complete index; an incomplete one reads "Incomplete: N of M files — reason".
 */
import * as vscode from 'vscode';
import type { CoverageSummary, IndexProgress, MissingReason } from '../core/engineTypes';
import type { CoverageInfo, ProviderName } from '../protocol/messages';

/** "DashScope" or "the embedding server": who was unreachable / refused. */
export function serviceName(provider: ProviderName): string {
  return provider === 'dashscope' ? 'DashScope' : provider === 'openai' ? vscode.l10n.t('the embedding server') : vscode.l10n.t('the offline embedder');
}

export function reasonText(reason: MissingReason | string | undefined, provider: ProviderName): string {
  switch (reason) {
    case 'auth': return vscode.l10n.t('API key rejected');
    case 'quota': return vscode.l10n.t('account in arrears or quota used up');
    case 'network': return vscode.l10n.t('{0} unreachable', serviceName(provider));
    case 'throttled': return vscode.l10n.t('still rate-limited');
    case 'server': return vscode.l10n.t('{0} server errors', serviceName(provider));
    case 'badInput': return vscode.l10n.t('request rejected');
    case 'cancelled': return vscode.l10n.t('cancelled');
    case 'budget': return vscode.l10n.t('token budget reached');
    default: return vscode.l10n.t('stopped early');
  }
}

/** Sums the folders' coverage; the reason is the one that stopped the most files. */
export function coverageInfo(all: readonly CoverageSummary[], provider: ProviderName): CoverageInfo & { complete: boolean } {
  let filesIndexed = 0, filesTotal = 0, chunksIndexed = 0, chunksTotal = 0;
  const byReason = new Map<string, number>();
  let stopped: string | undefined;
  for (const c of all) {
    filesIndexed += c.files.indexed;
    filesTotal += c.files.discovered;
    chunksIndexed += c.chunks.indexed;
    chunksTotal += c.chunks.discovered;
    for (const m of c.missing) byReason.set(m.reason, (byReason.get(m.reason) ?? 0) + m.count);
    if (!c.complete) stopped ??= c.stoppedBy?.reason;
  }
  const complete = all.every((c) => c.complete);
  const top = [...byReason.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? stopped;
  return {
    complete, filesIndexed, filesTotal, chunksIndexed, chunksTotal,
    ...(complete ? {} : { reason: top ?? 'error', reasonText: reasonText(top, provider) }),
  };
}

/** "Incomplete: 66 of 139 files — DashScope unreachable" (no percentage, never "up to date"). */
export function incompleteLine(c: CoverageInfo): string {
  return vscode.l10n.t('Incomplete: {0} of {1} files — {2}', c.filesIndexed.toLocaleString(), c.filesTotal.toLocaleString(), c.reasonText ?? reasonText(undefined, 'offline'));
}

function seconds(s: number): string {
  if (s < 90) return vscode.l10n.t('{0} s', Math.max(1, Math.round(s)));
  if (s < 5400) return vscode.l10n.t('{0} min', Math.round(s / 60));
  return vscode.l10n.t('{0} h', (s / 3600).toFixed(1));
}

/** Measures the rate of the embed phase (chunks per second since embedding began) for the ETA. */
export class RateMeter {
  private start?: { t: number; done: number };

  rate(p: IndexProgress, now = Date.now()): number | undefined {
    if (p.phase !== 'embed') return undefined;
    this.start ??= { t: now, done: p.chunksDone };
    const dt = (now - this.start.t) / 1000;
    return dt >= 2 && p.chunksDone > this.start.done ? (p.chunksDone - this.start.done) / dt : undefined;
  }
}

/**
 * The progress line: the work that costs. While a batch waits to be retried: "DashScope
 * unreachable — retrying in 8 s — attempt 3 of 10"; while paced: "Waiting for rate limit".
 */
export function progressLine(p: IndexProgress, rate: number | undefined, provider: ProviderName, now = Date.now()): { text: string; waiting?: 'rate-limit' | 'retry' } {
  if (p.publishing) {
    // The local index is complete; what is left is the team index's copy (cancellable: nothing half-published shows).
    const { host, rowsDone, rowsTotal } = p.publishing;
    return { text: vscode.l10n.t('Publishing to the team index at {0}: {1} of {2} rows', host, rowsDone.toLocaleString(), rowsTotal.toLocaleString()) };
  }
  if (p.phase === 'discover' || p.phase === 'chunk') {
    return { text: vscode.l10n.t('Reading files: {0} of {1}', p.filesDone.toLocaleString(), p.filesTotal.toLocaleString()) };
  }
  const chunks = vscode.l10n.t('{0} of {1} chunks', p.chunksDone.toLocaleString(), p.chunksTotal.toLocaleString());
  if (p.retry && p.retry.at > now - 500) {
    const inS = Math.max(0, Math.ceil((p.retry.at - now) / 1000));
    const what = p.retry.failure === 'throttled' ? vscode.l10n.t('Waiting for rate limit') : reasonText(p.retry.failure, provider);
    const attempt = p.retry.maxAttempts ? vscode.l10n.t('attempt {0} of {1}', p.retry.attempt, p.retry.maxAttempts) : vscode.l10n.t('attempt {0}', p.retry.attempt);
    return { text: `${what} — ${vscode.l10n.t('retrying in {0} s', inS)} — ${attempt} · ${chunks}`, waiting: p.retry.failure === 'throttled' ? 'rate-limit' : 'retry' };
  }
  if (p.waiting === 'rate-limit') return { text: `${vscode.l10n.t('Waiting for rate limit')} · ${chunks}`, waiting: 'rate-limit' };
  const parts = [chunks];
  if (p.tokensTotal > 0) parts.push(vscode.l10n.t('{0} of {1} tokens', compact(p.tokensDone), compact(p.tokensTotal)));
  if (rate && rate > 0) {
    parts.push(vscode.l10n.t('{0} chunks/s', rate >= 10 ? Math.round(rate) : rate.toFixed(1)));
    const left = (p.chunksTotal - p.chunksDone) / rate;
    if (left > 0) parts.push(vscode.l10n.t('{0} left', seconds(left)));
  }
  return { text: parts.join(' · ') };
}

function compact(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : n.toLocaleString();
}

/** "3,894 chunks from 139 files in 28 s" */
export function summaryLine(chunks: number, files: number, secs: number): string {
  return vscode.l10n.t('{0} chunks from {1} files in {2}', chunks.toLocaleString(), files.toLocaleString(), seconds(secs));
}
