/**
 * The status bar item `semanticWorkspace.status`: offline/keyword mode, indexing progress, chunk
 * count or error. Clicking it opens a small menu of the common actions.
 */
import * as vscode from 'vscode';
import type { StatusInfo } from '../protocol/messages';
import { incompleteLine } from './coverageText';
import type { StatusModel } from './status';
import { SET_TEAM_PASSWORD_COMMAND, readTeamSettings } from './teamSettings';

export const STATUS_MENU_COMMAND = 'semanticWorkspace.statusMenu';

function render(item: vscode.StatusBarItem, s: StatusInfo): void {
  const mode = s.provider === 'offline' ? vscode.l10n.t('offline') : s.label || s.provider;
  item.backgroundColor = undefined;
  item.command = STATUS_MENU_COMMAND;
  switch (s.state) {
    case 'indexing': {
      // Chunks embedded of the total (the work that costs), not a percentage of files read.
      const p = s.progress;
      item.text = p?.waiting === 'rate-limit' ? `$(watch) ${vscode.l10n.t('Waiting for rate limit')}`
        : p?.waiting === 'retry' ? `$(sync~spin) ${p.text.split(' · ')[0]}`
        : p && p.chunksTotal > 0 ? `$(sync~spin) ${vscode.l10n.t('Indexing: {0} of {1} embedded', p.chunksDone.toLocaleString(), p.chunksTotal.toLocaleString())}`
        : `$(sync~spin) ${vscode.l10n.t('Indexing…')}`;
      break;
    }
    case 'incomplete':
      // No percentage, never "up to date": what is in, of what, why; a click resumes.
      item.text = `$(warning) ${s.coverage ? incompleteLine(s.coverage) : vscode.l10n.t('Incomplete')} · ${vscode.l10n.t('Resume')}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      item.command = { title: vscode.l10n.t('Resume'), command: 'semanticWorkspace.indexWorkspace' };
      break;
    case 'ready':
      item.text = `$(search) ${vscode.l10n.t('{0} chunks', s.chunks.toLocaleString())}`;
      // Offline is worth seeing at a glance: results are keyword-led, nothing is uploaded.
      if (s.provider === 'offline') item.text += ` · ${vscode.l10n.t('offline')}`;
      break;
    case 'error':
      item.text = `$(error) ${vscode.l10n.t('Semantic Workspace')}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      break;
    default:
      item.text = `$(search) ${vscode.l10n.t('Not indexed')}`;
  }
  if (s.restricted) item.text += ` $(shield)`;
  // The team index's last outcome: what was shared, or that the database failed (local search goes on).
  if (s.team && s.state !== 'noIndex') {
    item.text += ` · $(${s.team.ok ? 'organization' : 'warning'}) ${s.team.text}`;
    if (!s.team.ok && !item.backgroundColor) item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }
  // The last search fell back to keywords (endpoint down, key refused): visible until one succeeds.
  if (s.searchNote && s.state === 'ready') {
    item.text += ` · $(warning) ${vscode.l10n.t('keyword only')}`;
    item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }
  const lines = [
    vscode.l10n.t('Semantic Workspace — {0}', mode),
    s.state === 'ready' ? vscode.l10n.t('{0} chunks in {1} files, up to date', s.chunks, s.files) : '',
    s.state === 'incomplete' && s.coverage ? vscode.l10n.t('{0} of {1} chunks indexed. Click to resume: what was embedded is kept.', s.coverage.chunksIndexed.toLocaleString(), s.coverage.chunksTotal.toLocaleString()) : '',
    s.state === 'indexing' && s.progress ? s.progress.text : '',
    s.restricted ? vscode.l10n.t('Restricted Mode: only the offline provider runs.') : '',
    s.message ?? '',
    s.searchNote ?? '',
    s.team?.detail ?? '',
  ];
  item.tooltip = lines.filter(Boolean).join('\n');
  item.accessibilityInformation = { label: lines.filter(Boolean).join('. ') };
}

export function createStatusBar(status: StatusModel): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('semanticWorkspace.status', vscode.StatusBarAlignment.Left, 50);
  item.name = vscode.l10n.t('Semantic Workspace');
  item.command = STATUS_MENU_COMMAND;
  render(item, status.current);
  item.show();
  const sub = status.onDidChange((s) => render(item, s));
  return vscode.Disposable.from(item, sub);
}

/** The click menu: search, re-index, set key, show log. */
export async function showStatusMenu(): Promise<void> {
  const items: (vscode.QuickPickItem & { command: string })[] = [
    { label: `$(search) ${vscode.l10n.t('Search…')}`, command: 'semanticWorkspace.search' },
    { label: `$(refresh) ${vscode.l10n.t('Re-index Workspace')}`, command: 'semanticWorkspace.indexWorkspace' },
    { label: `$(key) ${vscode.l10n.t('Set API Key')}`, command: 'semanticWorkspace.setApiKey' },
    { label: `$(server) ${vscode.l10n.t('Choose Provider')}`, command: 'semanticWorkspace.chooseProvider' },
    ...(readTeamSettings() ? [{ label: `$(database) ${vscode.l10n.t('Set Team Index Password…')}`, command: SET_TEAM_PASSWORD_COMMAND }] : []),
    { label: `$(output) ${vscode.l10n.t('Show Log')}`, command: 'semanticWorkspace.showLog' },
  ];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Semantic Workspace') });
  if (pick) await vscode.commands.executeCommand(pick.command);
}
