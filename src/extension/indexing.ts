/**
 * Index runs: full runs in a cancellable Notification progress, live updates silently. Progress
 * only moves forward; per-file problems go to the log with one summary toast.
 */
import * as vscode from 'vscode';
import type { Engine, IndexProgress, IndexReport } from '../core/engineTypes';
import { isCancellation } from '../core/embedding/errors';
import type { Door } from './door';
import type { Engines } from './engines';
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
          for (const [i, { folder, engine }] of pairs.entries()) {
            const onProgress = (p: IndexProgress): void => {
              const within = p.tokensTotal > 0 ? p.tokensDone / p.tokensTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
              const percent = Math.min(100, ((i + Math.min(1, within)) / pairs.length) * 100);
              const increment = Math.max(0, percent - shown);
              shown = Math.max(shown, percent);
              const prefix = pairs.length > 1 ? `${folder.name}: ` : '';
              progress.report({
                increment,
                message: prefix + vscode.l10n.t('{0}/{1} files, {2} tokens', p.filesDone, p.filesTotal, p.tokensDone.toLocaleString()),
              });
              this.status.set({ state: 'indexing', percent: shown });
            };
            try {
              reports.push(await engine.index({ rebuild: request.rebuild, signal: ac.signal, onProgress }));
            } catch (e) {
              if (isCancellation(e) || ac.signal.aborted) {
                cancelled = true;
                return;
              }
              throw new FolderError(folder.name, e);
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
    this.summarize(reports, cancelled);
    await this.refreshStatus(false);
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

  private summarize(reports: readonly IndexReport[], cancelled: boolean): void {
    let skipped = 0;
    for (const r of reports) {
      for (const s of r.skippedFiles) {
        // Ignored files are expected; only problems are worth a line each.
        if (s.reason === 'too-large' || s.reason === 'unreadable' || s.reason === 'binary' || s.reason === 'not-a-regular-file') {
          skipped++;
          this.log.channel.warn(`skipped ${s.path}: ${s.reason}${s.detail ? ` (${s.detail})` : ''}`);
        }
      }
      for (const w of r.warnings) this.log.channel.warn(w);
      this.log.channel.info(
        `indexed ${r.filesIndexed} files, ${r.chunks} chunks (${r.embeddedChunks} embedded, ${r.reusedChunks} reused), ${r.tokens} tokens in ${r.seconds.toFixed(1)} s`,
      );
    }
    if (cancelled || reports.some((r) => r.incomplete)) {
      void this.offerLog(vscode.l10n.t('Indexing stopped early; what was embedded is kept and the next run resumes.'), 'warning');
    } else if (skipped > 0) {
      void this.offerLog(vscode.l10n.t('{0} files skipped', skipped), 'info');
    }
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
      for (const { engine } of await this.engines.all()) {
        const s = await engine.status();
        chunks += s.chunks;
        files += s.files;
        exists ||= s.exists;
        // The core's offline label is English; the UI names the mode in the user's language.
        label = s.provider === 'offline' ? vscode.l10n.t('Offline (keyword + LSA)') : s.label;
      }
      const message =
        eff.downgraded === 'noKey' ? vscode.l10n.t('No API key: running offline (keyword + LSA).')
        : eff.downgraded === 'untrusted' ? vscode.l10n.t('Restricted Mode: only the offline provider runs.')
        : eff.provider === 'offline' ? vscode.l10n.t('Offline mode (keyword + LSA): nothing leaves this machine.')
        : undefined;
      if (keepError && this.status.current.state === 'error') return;
      this.status.set({ state: exists ? 'ready' : 'noIndex', provider: eff.provider, label, chunks, files, restricted, message });
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
