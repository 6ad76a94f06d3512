/**
 * A search that answered from keywords because the query could not be embedded in time (the
 * core's `SearchResult.degraded`): one localized note for the palette, the sidebar and the status
 * bar, and — when the key was refused — the Set API Key action. The next search tries the
 * endpoint again (degraded results are never cached).
 */
import * as vscode from 'vscode';
import type { SearchDegraded } from '../core/engineTypes';
import type { StatusModel } from './status';

export const SET_API_KEY_COMMAND = 'semanticWorkspace.setApiKey';

/** The note shown above degraded results. */
export function degradedNote(d: SearchDegraded): string {
  const why =
    d.failure === 'auth' ? vscode.l10n.t('the API key was refused')
    : d.failure === 'quota' ? vscode.l10n.t('the account has no quota left')
    : d.failure === 'throttled' ? vscode.l10n.t('the endpoint is rate-limiting')
    : d.failure === 'server' ? vscode.l10n.t('the endpoint reported a server error')
    : d.failure === 'badInput' ? vscode.l10n.t('the endpoint rejected the request')
    : vscode.l10n.t('the endpoint did not answer in time');
  return vscode.l10n.t('Keyword results only: {0}. The next search tries the endpoint again.', why);
}

/** Whether the note should offer Set API Key. */
export const wantsKey = (d: SearchDegraded | undefined): boolean => d?.failure === 'auth';

/** Shows (or clears, after a full search) the degraded note in the status bar. */
export function reportDegraded(status: StatusModel, d: SearchDegraded | undefined): void {
  const note = d ? degradedNote(d) : undefined;
  if (status.current.searchNote !== note) status.set({ searchNote: note });
}
