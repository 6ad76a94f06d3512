/**
 * Related files for the active editor (the core's `relatedFiles`), shown in the sidebar. Every
 * editor switch is remembered in a most-recently-used list (workspaceState, ~10 entries) whose
 * weighted profile nudges the results; pins and hides persist per workspace. Updates are debounced
 * and a newer editor change drops an older computation's result.
 */
import * as vscode from 'vscode';
import type { FileRef, RelatedItem, RelatedView } from '../protocol/messages';
import type { AnalysisService } from './analysis';
import type { Engines } from './engines';
import { errorText, type Log } from './log';
import { refOf } from './open';
import { readSettings } from './settings';
import { addHidden, parseRefKey, pushRecent, recentWeights, refKey, setPinned } from './recentFiles';
import type { SidebarProvider } from './sidebar/provider';

const PINNED = 'semanticWorkspace.related.pinned';
const HIDDEN = 'semanticWorkspace.related.hidden';
const RECENT = 'semanticWorkspace.related.recent';
const DEBOUNCE_MS = 400;

export class RelatedController implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  /** The last text editor's file: focus in a webview or the walkthrough must not blank the list. */
  private lastUri: vscode.Uri | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly engines: Engines,
    private readonly analysis: AnalysisService,
    private readonly sidebar: SidebarProvider,
    private readonly state: vscode.Memento,
    private readonly log: Log,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        // The MRU is kept whether or not the sidebar shows: it describes what the user works on.
        if (e) {
          this.lastUri = e.document.uri;
          void this.remember(e.document.uri);
        }
        this.schedule();
      }),
      sidebar.onDidChangeVisibility((visible) => visible && this.schedule()),
      // A new or updated index changes the neighbours (debounced like editor switches).
      analysis.onDidInvalidate(() => this.schedule()),
    );
  }

  /** Stored lists of `folder|path` keys (older versions stored pinned FileRefs: read both). */
  private keys(name: string): string[] {
    const raw = this.state.get<unknown[]>(name, []);
    return (Array.isArray(raw) ? raw : [])
      .map((x) => (typeof x === 'string' ? x : x && typeof x === 'object' && 'folder' in x && 'path' in x ? refKey(x as FileRef) : ''))
      .filter(Boolean);
  }

  private async remember(uri: vscode.Uri): Promise<void> {
    const here = refOf(this.engines, uri);
    if (here) await this.state.update(RECENT, pushRecent(this.keys(RECENT), refKey({ folder: here.folder.uri.toString(), path: here.path })));
  }

  async pin(ref: FileRef, pinned: boolean): Promise<void> {
    await this.state.update(PINNED, setPinned(this.keys(PINNED), refKey(ref), pinned));
    this.schedule(0);
  }

  async hide(ref: FileRef): Promise<void> {
    const key = refKey(ref);
    await this.state.update(HIDDEN, addHidden(this.keys(HIDDEN), key));
    await this.pin(ref, false);
  }

  /** What the lists hold (for the test API). */
  lists(): { pinned: string[]; hidden: string[]; recent: string[] } {
    return { pinned: this.keys(PINNED), hidden: this.keys(HIDDEN), recent: this.keys(RECENT) };
  }

  schedule(delay = DEBOUNCE_MS): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delay);
  }

  /** Recomputes the list for the active editor and shows it (only while the sidebar is visible). */
  async update(): Promise<void> {
    if (!this.sidebar.visible) return;
    const seq = ++this.seq;
    const uri = vscode.window.activeTextEditor?.document.uri ?? this.stillOpen(this.lastUri);
    const view = await this.compute(uri);
    if (seq !== this.seq) return; // a newer editor change won
    this.sidebar.showRelated(view);
  }

  /** `uri` while one of the visible editors shows it. */
  private stillOpen(uri: vscode.Uri | undefined): vscode.Uri | undefined {
    const key = uri?.toString();
    return key && vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === key) ? uri : undefined;
  }

  /** The Related view for `uri` — exactly what the sidebar would show for it. */
  async compute(uri: vscode.Uri | undefined): Promise<RelatedView> {
    const here = uri && refOf(this.engines, uri);
    if (!here) return { items: [], empty: 'noFile' };
    const folderKey = here.folder.uri.toString();
    try {
      const space = await this.analysis.getSpace();
      if (!space) return { forTitle: here.path, items: [], empty: 'noIndex' };
      const toDisplay = (keys: readonly string[]) =>
        keys.map(parseRefKey).filter((r): r is FileRef => !!r).map((r) => space.display(r.folder, r.path));
      const recentWeight = readSettings().relatedHistoryWeight;
      const recent = recentWeights(this.keys(RECENT)).flatMap(({ key, weight }) => {
        const r = parseRefKey(key);
        return r ? [{ path: space.display(r.folder, r.path), weight }] : [];
      });
      const r = await this.analysis.related(folderKey, here.path, {
        recent,
        recentWeight,
        pinned: toDisplay(this.keys(PINNED)),
        hidden: toDisplay(this.keys(HIDDEN)),
      });
      const items: RelatedItem[] = (r?.result.results ?? []).flatMap((f) => {
        const ref = space.toRef(f.path);
        return ref ? [{ ref, title: f.path, score: f.score, pinned: f.pinned === true, kind: f.kind }] : [];
      });
      const empty = items.length ? undefined : r?.result.found === false ? 'notIndexed' : 'none';
      return { forTitle: space.display(folderKey, here.path), items, ...(empty ? { empty } : {}) };
    } catch (e) {
      this.log.channel.warn(`related files: ${errorText(e)}`);
      return { forTitle: here.path, items: [] };
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
