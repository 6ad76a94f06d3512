/**
 * The shared frame of the analysis commands: offer to index when there is no index yet, run with a
 * cancellable progress notification, and turn failures into one readable message (details in the log).
 */
import * as vscode from 'vscode';
import { NoIndexYet } from '../analysis';
import { errorText } from '../log';
import type { Services } from '../services';

/** The door: these commands read stored vectors only (nothing is sent), but need an index. */
async function ensureIndex(s: Services): Promise<boolean> {
  return (await s.door.check({ purpose: 'analysis', interactive: true, needsIndex: true, offerIndex: true, sendsText: false })).ok;
}

export const isAbort = (e: unknown): boolean => e instanceof Error && (e.name === 'AbortError' || e.name === 'CancellationError');

/** Runs `fn` under a progress notification; undefined when there is no index, it was cancelled or it failed. */
export async function withAnalysis<T>(s: Services, title: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  try {
    if (!(await ensureIndex(s))) return undefined;
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return fn(ac.signal);
    });
  } catch (e) {
    if (e instanceof NoIndexYet) void vscode.window.showInformationMessage(vscode.l10n.t('This workspace has no semantic index yet. Run "Index Workspace".'));
    else if (!isAbort(e)) {
      s.log.channel.error(errorText(e));
      void vscode.window.showErrorMessage(vscode.l10n.t('Analysis failed: {0}', errorText(e)));
    }
    return undefined;
  }
}
