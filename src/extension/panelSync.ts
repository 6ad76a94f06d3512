/**
 * Keeps the sidebar true to the current state, and the Get Started walkthrough true to what
 * happened:
 *
 * - index changed (a run, a live update, Clear Index) or a first run starts → the shown search re-runs; Topics are marked
 *   stale when the notes they were made from changed; Related recomputes (related.ts).
 * - provider or model changed → Topics and Tags from the old vectors are dropped (provider.ts).
 * - active editor changed → Tags made for another file are marked stale (Apply off) and come back
 *   when that file is in front again; Related follows the editor (related.ts).
 * - context keys for the walkthrough's `onContext:` completion events: an index exists, a search
 *   ran over one, a DashScope key is stored. Commands alone prove nothing (a cancelled Index
 *   Workspace used to tick "Index", opening the sidebar ticked "Search by meaning").
 */
import * as vscode from 'vscode';
import type { FileRef } from '../protocol/messages';
import type { AnalysisService } from './analysis';
import type { Engines } from './engines';
import { refOf } from './open';
import type { SearchService } from './searchService';
import type { KeyStore } from './secrets';
import type { SidebarProvider } from './sidebar/provider';
import type { StatusModel } from './status';

export const CONTEXT_HAS_INDEX = 'semanticWorkspace.hasIndex';
export const CONTEXT_SEARCHED = 'semanticWorkspace.searchedIndex';
export const CONTEXT_DASHSCOPE_KEY = 'semanticWorkspace.hasDashScopeKey';

export interface PanelParts {
  readonly engines: Engines;
  readonly analysis: AnalysisService;
  readonly sidebar: SidebarProvider;
  readonly status: StatusModel;
  readonly search: SearchService;
  readonly keys: KeyStore;
}

export class PanelSync implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly contexts = new Map<string, boolean>();
  private topicsCheck = 0;
  private lastState: string | undefined;

  constructor(private readonly p: PanelParts) {
    this.disposables.push(
      p.analysis.onDidInvalidate(() => {
        p.sidebar.refreshSearch();
        void this.checkTopics();
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        // Focus in a non-text editor (a webview, the walkthrough) leaves the last file as it was.
        if (e) this.syncTags(e.document.uri);
      }),
      p.status.onDidChange((s) => {
        // The first run starts: a shown "no index yet, run Index Workspace" answer is out of date.
        if (s.state === 'indexing' && this.lastState === 'noIndex') p.sidebar.refreshSearch();
        this.lastState = s.state;
        if (s.state === 'ready') this.setContext(CONTEXT_HAS_INDEX, s.chunks > 0);
        else if (s.state === 'noIndex') this.setContext(CONTEXT_HAS_INDEX, false);
      }),
      p.search.onDidSearch(({ results }) => {
        if (this.contexts.get(CONTEXT_HAS_INDEX) && results > 0) this.setContext(CONTEXT_SEARCHED, true);
      }),
      p.keys.onDidChange(() => void this.syncKey()),
    );
    void this.syncKey();
  }

  /** Marks Tags stale while a file other than the classified one is in the editor. */
  syncTags(uri: vscode.Uri): void {
    const target = this.p.sidebar.tagsTarget;
    if (!target) return;
    this.p.sidebar.markTagsStale(!sameFile(this.p.engines, uri, target));
  }

  private async checkTopics(): Promise<void> {
    const seq = ++this.topicsCheck;
    const outdated = await this.p.analysis.topicsOutdated().catch(() => false);
    if (seq === this.topicsCheck) this.p.sidebar.markTopicsStale(outdated);
  }

  private async syncKey(): Promise<void> {
    this.setContext(CONTEXT_DASHSCOPE_KEY, !!(await this.p.keys.get('dashscope').catch(() => undefined)));
  }

  private setContext(key: string, value: boolean): void {
    if (this.contexts.get(key) === value) return;
    this.contexts.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  /** For the test API: the walkthrough context keys as last set. */
  contextKeys(): Readonly<Record<string, boolean>> {
    return Object.fromEntries(this.contexts);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function sameFile(engines: Engines, uri: vscode.Uri, target: FileRef): boolean {
  const here = refOf(engines, uri);
  return !!here && here.folder.uri.toString() === target.folder && here.path === target.path;
}
