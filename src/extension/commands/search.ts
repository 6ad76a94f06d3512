/**
 * `Search…` and `Search for Selection`: a QuickPick with live results as you type. Requests are
 * debounced (150 ms), each keystroke aborts the previous search, and a sequence number drops any
 * reply that arrives late. Results are cached by the search service (LRU).
 */
import * as vscode from 'vscode';
import type { FileRef, ResultItem } from '../../protocol/messages';
import type { SearchDegraded } from '../../core/engineTypes';
import { SET_API_KEY_COMMAND, degradedNote, reportDegraded, wantsKey } from '../degraded';
import { errorText } from '../log';
import { openRef, refOf } from '../open';
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
  return (await s.door.check({ purpose: 'search', interactive: true, needsIndex: true, offerIndex: true, remoteAnswers: true })).ok;
}

/** A selection's place: Search for Selection never lists the selection itself. */
export type Place = FileRef & { readonly startLine: number; readonly endLine: number };

const overlaps = (h: ResultItem, p: Place): boolean =>
  h.folder === p.folder && h.path === p.path && h.startLine <= p.endLine && h.endLine >= p.startLine;

/** What Search for Selection lists: places similar to the selected text, other than the selection. */
export async function similarToSelection(s: Services, text: string, from: Place, signal?: AbortSignal): Promise<{ items: ResultItem[]; degraded?: SearchDegraded }> {
  const r = await s.search.searchWithNote(text, { signal, task: 'similarity' });
  return { ...r, items: r.items.filter((h) => !overlaps(h, from)) };
}

export async function runQuickSearch(s: Services, initial = '', from?: Place): Promise<void> {
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
  // Results over an incomplete index say so, next to them (the title stays visible above the list).
  const cov = s.status.current.state === 'incomplete' ? s.status.current.coverage : undefined;
  if (cov) qp.title += ` — ${vscode.l10n.t('index incomplete: {0} of {1} files', cov.filesIndexed.toLocaleString(), cov.filesTotal.toLocaleString())}`;
  qp.placeholder = vscode.l10n.t('Search code and notes by meaning and keywords');
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  const keyButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('key'), tooltip: vscode.l10n.t('Set API Key') };
  qp.buttons = [sidebarButton];
  const multiRoot = s.engines.folders().length > 1;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ac: AbortController | undefined;

  const show = (hits: readonly ResultItem[], note: readonly HitItem[]): void => {
    const items: HitItem[] = hits.length
      ? hits.map((h) => toItem(h, multiRoot, sideButton))
      : [{ label: vscode.l10n.t('No results.'), alwaysShow: true }];
    // Re-ordering must not move the user's cursor off the result they were on.
    const was = qp.activeItems[0] !== qp.items[0] ? qp.activeItems[0]?.hit : undefined;
    // A note (the rerank failed or was skipped) sits above the results it explains.
    qp.items = [...note, ...items];
    const same = was && items.find((i) => i.hit && i.hit.folder === was.folder && i.hit.path === was.path && i.hit.startLine === was.startLine);
    if (same && items[0] !== same) qp.activeItems = [same];
  };

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
      // Similar-to-selection is never reranked (no query to rerank by): one stage.
      const staged = from && query === initial
        ? await similarToSelection(s, query, from, ac.signal).then((r) => ({ first: r.items, degraded: r.degraded, rerank: undefined }))
        : await s.search.staged(query, { signal: ac.signal });
      if (mine !== seq) return; // a newer query is on its way
      const { degraded } = staged;
      reportDegraded(s.status, degraded);
      // Keyword-only results say so at the top; a refused key offers Set API Key right there.
      const note: HitItem[] = degraded
        ? [{ label: `$(warning) ${degradedNote(degraded)}`, alwaysShow: true, ...(wantsKey(degraded) ? { buttons: [keyButton], detail: vscode.l10n.t('Select to set the API key.'), setKey: true } : {}) }]
        : [];
      // First-stage results at once; a rerank (if any) re-orders them when it arrives.
      show(staged.first, note);
      if (!staged.rerank) return;
      const r = await staged.rerank;
      if (mine !== seq) return;
      show(r.items, r.note ? [{ label: `$(warning) ${r.note}`, alwaysShow: true }] : []);
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

/** The selection (or the word under the cursor), trimmed to what a query can hold, and its place. */
export function selectionText(s: Services): { text: string; from?: Place } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const sel = editor.selection;
  const range = sel.isEmpty ? editor.document.getWordRangeAtPosition(sel.active) : sel;
  const text = editor.document.getText(range).trim().slice(0, 1000);
  if (!text) return undefined;
  const here = refOf(s.engines, editor.document.uri);
  const lines = range ? { startLine: range.start.line + 1, endLine: range.end.line + 1 } : { startLine: sel.active.line + 1, endLine: sel.active.line + 1 };
  return { text, ...(here ? { from: { folder: here.folder.uri.toString(), path: here.path, ...lines } } : {}) };
}

export function searchCommands(s: Services): Command[] {
  return [
    { id: 'semanticWorkspace.search', execute: (query?: unknown) => runQuickSearch(s, typeof query === 'string' ? query : '') },
    {
      id: 'semanticWorkspace.searchSelection',
      execute: () => {
        const selected = selectionText(s);
        if (!selected) return vscode.window.showInformationMessage(vscode.l10n.t('Select some code or text first.'));
        return runQuickSearch(s, selected.text, selected.from ?? { folder: '', path: '', startLine: 0, endLine: 0 });
      },
    },
    { id: 'semanticWorkspace.focusSidebar', execute: () => s.sidebar.reveal() },
  ];
}
