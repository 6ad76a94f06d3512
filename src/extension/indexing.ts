/**
 * Index runs: full runs in a cancellable Notification progress, live updates silently. Progress
 * only moves forward; per-file problems go to the log with one summary toast.
 */
import * as vscode from 'vscode';
import type { CoverageSummary, Engine, IndexProgress, IndexReport } from '../core/engineTypes';
import { isCancellation } from '../core/embedding';
import type { ProviderName } from '../protocol/messages';
import type { Door } from './door';
import { RateMeter, coverageInfo, progressLine, summaryLine } from './coverageText';
import type { Engines } from './engines';
import { showFailureNotice } from './failureNotice';
import { errorText, type Log } from './log';
import type { StatusModel } from './status';

export interface IndexRequest {
  readonly rebuild?: boolean;
  /** Skip the consent dialog's result check (live updates only run after consent anyway). */
  readonly silent?: boolean;
}

export class Indexer {
  private running: Promise<IndexReport[] | undefined> | undefined;
  /** True only while a full run reports progress (the status must not be recomputed under it). */
  private reporting = false;
  private readonly finished = new vscode.EventEmitter<void>();
  /** Fires after any run that changed the index: search caches drop their entries. */
  readonly onDidIndex = this.finished.event;

  constructor(
    private readonly engines: Engines,
    private readonly door: Door,
    private readonly status: StatusModel,
    private readonly log: Log,
    /** Fires when an API key is saved (a run stopped by a rejected key resumes then). */
    private readonly onDidChangeKey?: vscode.Event<unknown>,
  ) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Indexes every folder. Concurrent calls share the run in progress. */
  indexAll(request: IndexRequest = {}): Promise<IndexReport[] | undefined> {
    if (!this.running) {
      this.running = this.run(request).finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async run(request: IndexRequest): Promise<IndexReport[] | undefined> {
    if (!(await this.door.check({ purpose: 'index', interactive: true })).ok) return undefined;
    const pairs = await this.engines.all();
    if (pairs.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder to index it.'));
      return undefined;
    }
    const reports: IndexReport[] = [];
    let cancelled = false;
    const t0 = Date.now();
    this.status.set({ state: 'indexing', percent: 0, message: undefined });
    this.reporting = true;
    try {
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: request.rebuild ? vscode.l10n.t('Rebuilding the semantic index') : vscode.l10n.t('Indexing the workspace'),
          cancellable: true,
        },
        async (progress, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          let shown = 0; // percent already reported: withProgress takes increments, never negative
          const provider = (await this.engines.effectiveProvider()).provider as ProviderName;
          for (const [i, { folder, engine }] of pairs.entries()) {
            const meter = new RateMeter();
            let last: IndexProgress | undefined;
            // A retry countdown moves while nothing else does: re-render it every second.
            const ticker = setInterval(() => last?.retry && render(last), 1000);
            const render = (p: IndexProgress): void => {
              last = p;
              // The work that costs: reading files is the first 10 %, embedding chunks the rest.
              const within = p.phase === 'discover' || p.phase === 'chunk'
                ? 0.1 * (p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0)
                : 0.1 + 0.9 * (p.chunksTotal > 0 ? p.chunksDone / p.chunksTotal : 1);
              const percent = Math.min(100, ((i + Math.min(1, within)) / pairs.length) * 100);
              const increment = Math.max(0, percent - shown);
              shown = Math.max(shown, percent);
              const prefix = pairs.length > 1 ? `${folder.name}: ` : '';
              const line = progressLine(p, meter.rate(p), provider);
              progress.report({ increment, message: prefix + line.text });
              this.status.set({
                state: 'indexing', percent: shown,
                progress: { chunksDone: p.chunksDone, chunksTotal: p.chunksTotal, tokensDone: p.tokensDone, tokensTotal: p.tokensTotal, text: line.text, ...(line.waiting ? { waiting: line.waiting } : {}) },
              });
            };
            const onProgress = (p: IndexProgress): void => render(p);
            try {
              const r = await engine.index({ rebuild: request.rebuild, signal: ac.signal, onProgress });
              reports.push(r);
              if (r.error?.failure === 'cancelled') cancelled = true;
              if (r.error) return; // the others would stop the same way: say why now
            } catch (e) {
              if (isCancellation(e) || ac.signal.aborted) {
                cancelled = true;
                return;
              }
              throw new FolderError(folder.name, e);
            } finally {
              clearInterval(ticker);
            }
          }
        },
      );
    } catch (e) {
      this.reporting = false;
      const msg = errorText(e);
      this.log.channel.error(msg);
      this.status.set({ state: 'error', message: msg });
      void this.offerLog(vscode.l10n.t('Indexing failed: {0}', msg), 'error');
      return reports; // the error stays in the status bar until the next successful refresh
    }
    this.reporting = false;
    this.finished.fire();
    await this.refreshStatus(false);
    this.summarize(reports, cancelled, t0);
    return reports;
  }

  /** Live update of a few paths (watcher/save). No UI beyond the status bar. */
  async updatePaths(engine: Engine, paths: readonly string[]): Promise<void> {
    if (this.running) await this.running.catch(() => undefined);
    try {
      const r = await engine.index({ paths });
      for (const w of r.warnings) this.log.channel.warn(w);
      this.finished.fire();
    } catch (e) {
      this.log.channel.warn(`live update failed: ${errorText(e)}`);
    }
    await this.refreshStatus(false);
  }

  /**
   * The end of a run, in one message: a failure's notification with its action buttons (it stays
   * until dismissed), or the summary "3,894 chunks from 139 files in 28 s; 2 files skipped — Show".
   */
  private summarize(reports: readonly IndexReport[], cancelled: boolean, t0: number): void {
    let skipped = 0;
    for (const r of reports) {
      for (const s of r.skippedFiles) {
        // Ignored files are expected; only problems are worth a line each.
        if (s.reason === 'too-large' || s.reason === 'unreadable' || s.reason === 'binary' || s.reason === 'generated' || s.reason === 'not-a-regular-file') {
          skipped++;
          this.log.channel.warn(`skipped ${s.path}: ${s.reason}${s.detail ? ` (${s.detail})` : ''}`);
        }
      }
      for (const w of r.warnings) this.log.channel.warn(w);
      this.log.channel.info(
        `indexed ${r.filesIndexed} files, ${r.chunks} chunks (${r.embeddedChunks} embedded, ${r.reusedChunks} reused), ${r.tokens} tokens in ${r.seconds.toFixed(1)} s`,
      );
      for (const m of r.coverage?.missing ?? []) {
        this.log.channel.warn(`not indexed (${m.reason}): ${m.count} file(s): ${m.files.join(', ')}${m.count > m.files.length ? ', …' : ''}`);
      }
    }
    const coverage = this.status.current.coverage;
    const failed = reports.find((r) => r.error && r.error.failure !== 'cancelled');
    if (failed?.error) {
      this.log.channel.error(failed.error.message);
      void showFailureNotice(
        { failure: failed.error.failure ?? 'error', message: failed.error.message, provider: this.status.current.provider, coverage },
        { resume: () => void this.indexAll(), showLog: () => this.log.show(), onDidChangeKey: this.onDidChangeKey },
      );
      return;
    }
    if (cancelled || reports.some((r) => r.incomplete)) {
      const resume = vscode.l10n.t('Resume');
      const text = coverage && this.status.current.state === 'incomplete'
        ? vscode.l10n.t('Indexing stopped: {0} of {1} files indexed; what was embedded is kept.', coverage.filesIndexed.toLocaleString(), coverage.filesTotal.toLocaleString())
        : vscode.l10n.t('Indexing stopped early; what was embedded is kept and the next run resumes.');
      void vscode.window.showWarningMessage(text, resume).then((pick) => pick === resume && void this.indexAll());
      return;
    }
    const chunks = reports.reduce((a, r) => a + r.chunks, 0);
    const files = reports.reduce((a, r) => a + r.filesIndexed, 0);
    let text = summaryLine(chunks, files, (Date.now() - t0) / 1000);
    if (skipped > 0) text += `; ${vscode.l10n.t('{0} files skipped', skipped)}`;
    void this.offerLog(text, 'info');
  }

  private async offerLog(message: string, level: 'info' | 'warning' | 'error'): Promise<void> {
    const show = vscode.l10n.t('Show');
    const fn = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    if ((await fn(message, show)) === show) this.log.show();
  }

  /**
   * Recomputes the status from the engines. `open` = false only looks at engines that would be
   * opened anyway; the status never forces indexing.
   */
  async refreshStatus(keepError = true): Promise<void> {
    if (this.reporting) return;
    const restricted = !vscode.workspace.isTrusted;
    try {
      const eff = await this.engines.effectiveProvider();
      let chunks = 0, files = 0, exists = false, label = '';
      const coverages: CoverageSummary[] = [];
      for (const { engine } of await this.engines.all()) {
        const s = await engine.status();
        chunks += s.chunks;
        files += s.files;
        exists ||= s.exists;
        if (s.exists && s.coverage) coverages.push(s.coverage);
        // The core's offline label is English; the UI names the mode in the user's language.
        label = s.provider === 'offline' ? vscode.l10n.t('Offline (keyword + LSA)') : s.label;
      }
      const message =
        eff.downgraded === 'noKey' ? vscode.l10n.t('No API key: running offline (keyword + LSA).')
        : eff.downgraded === 'untrusted' ? vscode.l10n.t('Restricted Mode: only the offline provider runs.')
        : eff.provider === 'offline' ? vscode.l10n.t('Offline mode (keyword + LSA): nothing leaves this machine.')
        : undefined;
      if (keepError && this.status.current.state === 'error') return;
      const { complete, ...coverage } = coverageInfo(coverages, eff.provider);
      const state = !exists ? 'noIndex' : complete ? 'ready' : 'incomplete';
      this.status.set({ state, provider: eff.provider, label, chunks, files, restricted, message, coverage: exists ? coverage : undefined });
    } catch (e) {
      this.status.set({ state: 'error', restricted, message: errorText(e) });
    }
  }
}

class FolderError extends Error {
  constructor(folder: string, cause: unknown) {
    super(`${folder}: ${errorText(cause)}`);
  }
}
