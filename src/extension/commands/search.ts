/**
 * `Search…` and `Search for Selection`: a QuickPick with live results as you type. Requests are
 * debounced (150 ms), each keystroke aborts the previous search, and a sequence number drops any
 * reply that arrives late. Results are cached by the search service (LRU).
 */
import * as vscode from 'vscode';
import type { ResultItem } from '../../protocol/messages';
import { SET_API_KEY_COMMAND, degradedNote, reportDegraded, wantsKey } from '../degraded';
import { errorText } from '../log';
import { openRef } from '../open';
import type { Command, Services } from '../services';

const DEBOUNCE_MS = 150;

interface HitItem extends vscode.QuickPickItem {
  readonly hit?: ResultItem;
  /** The degraded note's item: accepting it runs Set API Key. */
  readonly setKey?: boolean;
}

function oneLine(snippet: string): string {
  const line = snippet.split('\n').find((l) => l.trim()) ?? '';
  return line.trim().slice(0, 160);
}

function toItem(hit: ResultItem, multiRoot: boolean, sideButton: vscode.QuickInputButton): HitItem {
  const where = `${multiRoot ? `${hit.folderName}/` : ''}${hit.path}:${hit.startLine}`;
  return {
    label: `${hit.kind === 'code' ? '$(symbol-method)' : '$(book)'} ${hit.symbol || hit.path.split('/').pop()}`,
    description: where,
    detail: oneLine(hit.snippet),
    // The QuickPick would otherwise filter our results by its own fuzzy match on the label.
    alwaysShow: true,
    buttons: [sideButton],
    hit,
  };
}

/** The door: consent (queries go to the same endpoint as the files) and an index, offered if missing. */
async function ensureIndex(s: Services): Promise<boolean> {
  return (await s.door.check({ purpose: 'search', interactive: true, needsIndex: true, offerIndex: true })).ok;
}

export async function runQuickSearch(s: Services, initial = '', task?: 'similarity'): Promise<void> {
  try {
    if (!(await ensureIndex(s))) return;
  } catch (e) {
    void vscode.window.showErrorMessage(errorText(e));
    return;
  }
  const qp = vscode.window.createQuickPick<HitItem>();
  const sideButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('split-horizontal'), tooltip: vscode.l10n.t('Open to the Side') };
  const sidebarButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('layout-sidebar-left'), tooltip: vscode.l10n.t('Show in Sidebar') };
  qp.title = vscode.l10n.t('Semantic Workspace: Search');
  qp.placeholder = vscode.l10n.t('Search code and notes by meaning and keywords');
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  const keyButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('key'), tooltip: vscode.l10n.t('Set API Key') };
  qp.buttons = [sidebarButton];
  const multiRoot = s.engines.folders().length > 1;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ac: AbortController | undefined;

  const run = async (query: string): Promise<void> => {
    const mine = ++seq;
    ac?.abort();
    ac = new AbortController();
    if (!query.trim()) {
      qp.items = [];
      qp.busy = false;
      return;
    }
    qp.busy = true;
    try {
      // The selection's own text asks for similar code; once the user edits it, it is a normal query.
      const { items: hits, degraded } = await s.search.searchWithNote(query, { signal: ac.signal, task: task && query === initial ? task : undefined });
      if (mine !== seq) return; // a newer query is on its way
      reportDegraded(s.status, degraded);
      // Keyword-only results say so at the top; a refused key offers Set API Key right there.
      const note: HitItem[] = degraded
        ? [{ label: `$(warning) ${degradedNote(degraded)}`, alwaysShow: true, ...(wantsKey(degraded) ? { buttons: [keyButton], detail: vscode.l10n.t('Select to set the API key.'), setKey: true } : {}) }]
        : [];
      qp.items = [
        ...note,
        ...(hits.length ? hits.map((h) => toItem(h, multiRoot, sideButton)) : [{ label: vscode.l10n.t('No results.'), alwaysShow: true }]),
      ];
    } catch (e) {
      if (mine !== seq || ac.signal.aborted) return;
      qp.items = [{ label: `$(error) ${errorText(e)}`, alwaysShow: true }];
    } finally {
      if (mine === seq) qp.busy = false;
    }
  };

  qp.onDidChangeValue((v) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(v), DEBOUNCE_MS);
  });
  qp.onDidAccept(() => {
    if (qp.selectedItems[0]?.setKey) {
      qp.hide();
      void vscode.commands.executeCommand(SET_API_KEY_COMMAND);
      return;
    }
    const hit = qp.selectedItems[0]?.hit;
    if (!hit) return;
    qp.hide();
    void openRef(s.engines, hit);
  });
  qp.onDidTriggerItemButton((e) => {
    if (e.item.setKey) {
      qp.hide();
      void vscode.commands.executeCommand(SET_API_KEY_COMMAND);
    }
    if (e.item.hit) void openRef(s.engines, e.item.hit, true);
  });
  qp.onDidTriggerButton(() => {
    const v = qp.value;
    qp.hide();
    void s.sidebar.setQuery(v);
  });
  qp.onDidHide(() => {
    if (timer) clearTimeout(timer);
    ac?.abort();
    qp.dispose();
  });
  qp.value = initial;
  qp.show();
  if (initial) void run(initial);
}

/** The selection (or the word under the cursor), trimmed to what a query can hold. */
export function selectionText(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const sel = editor.selection;
  const text = sel.isEmpty ? editor.document.getText(editor.document.getWordRangeAtPosition(sel.active)) : editor.document.getText(sel);
  return text.trim().slice(0, 1000) || undefined;
}

export function searchCommands(s: Services): Command[] {
  return [
    { id: 'semanticWorkspace.search', execute: (query?: unknown) => runQuickSearch(s, typeof query === 'string' ? query : '') },
    {
      id: 'semanticWorkspace.searchSelection',
      execute: () => {
        const text = selectionText();
        if (!text) return vscode.window.showInformationMessage(vscode.l10n.t('Select some code or text first.'));
        return runQuickSearch(s, text, 'similarity');
      },
    },
    { id: 'semanticWorkspace.focusSidebar', execute: () => s.sidebar.reveal() },
  ];
}
