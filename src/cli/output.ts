/**
 * Human output of the CLI: results with path:line, symbol and a snippet; a progress bar on stderr.
 * With --json none of this runs — stdout carries JSON only.
 */
import type { IndexProgress, IndexReport } from '../core/engineTypes';
import type { SearchHit } from '../core/types';
import type { Messages } from './messages';

const useColor = (stream: NodeJS.WriteStream) => stream.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string, on: boolean) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A one-line progress bar that redraws in place on a terminal and prints sparse lines otherwise. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { update(p: IndexProgress): void; done(): void } {
  let lastLine = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      const total = p.phase === 'embed' ? p.chunksTotal : p.filesTotal;
      const done = p.phase === 'embed' ? p.chunksDone : p.filesDone;
      const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
      const wait = p.retry && p.retry.at > now - 500
        ? `  ${p.retry.failure === 'throttled' ? 'waiting for rate limit' : p.retry.reason} — retrying in ${Math.max(0, Math.ceil((p.retry.at - now) / 1000))} s — attempt ${p.retry.attempt}${p.retry.maxAttempts ? ` of ${p.retry.maxAttempts}` : ''}`
        : p.waiting === 'rate-limit' ? '  waiting for rate limit' : '';
      const text = `${p.phase.padEnd(8)} ${String(pct).padStart(3)}%  files ${p.filesDone}/${p.filesTotal}  chunks ${p.chunksDone}/${p.chunksTotal}  tokens ${p.tokensDone}${wait}`;
      if (stream.isTTY) {
        if (now - lastLine < 80 && p.phase !== 'done') return;
        const width = 24;
        const filled = Math.round((pct / 100) * width);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`.slice(0, (stream.columns || 120) - 1).padEnd(Math.min(stream.columns || 120, 120) - 1));
        drawn = true;
      } else if (now - lastLine > 2000 || p.phase === 'done') {
        stream.write(text + '\n');
      } else return;
      lastLine = now;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}

export function printIndexReport(report: IndexReport, m: Messages, dryRun: boolean, out = process.stdout): void {
  const skipped = Object.entries(report.filesSkipped).filter(([, n]) => n > 0);
  const nSkipped = skipped.reduce((a, [, n]) => a + n, 0);
  if (dryRun) {
    const cost = report.estimatedCostUSD === undefined ? '$0 (offline)' : `$${report.estimatedCostUSD.toFixed(4)}`;
    out.write(m.dryRun(report.filesIndexed, report.chunks, report.tokens, cost) + '\n');
  } else {
    out.write(m.indexed(report.filesIndexed, report.chunks, report.seconds.toFixed(1), formatBytes(report.bytesOnDisk)) + '\n');
    out.write(m.reused(report.embeddedChunks, report.reusedChunks) + '\n');
  }
  if (nSkipped) out.write(m.skipped(nSkipped, skipped.map(([r, n]) => `${r} ${n}`).join(', ')) + '\n');
  for (const w of report.warnings) out.write(`! ${w}\n`);
  if (report.incomplete) out.write(m.incomplete + '\n');
}

export function printHits(query: string, hits: readonly SearchHit[], snippets: readonly (string | undefined)[], m: Messages, out = process.stdout): void {
  const color = useColor(out);
  out.write(paint('1', `» ${query}`, color) + '\n');
  if (!hits.length) {
    out.write(`  ${m.noResults}\n\n`);
    return;
  }
  hits.forEach((hit, i) => {
    const c = hit.chunk;
    const where = c.startColumn !== undefined ? `${c.path}:${c.startLine}:${c.startColumn}-${c.endColumn}` : `${c.path}:${c.startLine}-${c.endLine}`;
    const why: string[] = [];
    if (hit.why.terms.length) why.push(`terms: ${hit.why.terms.join(', ')}`);
    if (hit.why.vectorScore !== undefined) why.push(`cosine ${hit.why.vectorScore.toFixed(3)}`);
    out.write(`${String(i + 1).padStart(2)}. ${paint('36', where, color)}  ${c.symbol ? paint('33', c.symbol, color) + '  ' : ''}${paint('2', `[${c.kind}, ${hit.score.toFixed(4)}${why.length ? '; ' + why.join('; ') : ''}]`, color)}\n`);
    const snippet = snippets[i];
    if (snippet) {
      const lines = snippet.split(/\r?\n/).filter((l) => l.trim()).slice(0, 3);
      for (const l of lines) out.write(`      ${l.length > 110 ? l.slice(0, 107) + '…' : l}\n`);
    }
  });
  out.write('\n');
}
