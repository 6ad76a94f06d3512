/**
 * What `activate()` returns: a small API for the extension-host test suite (and other
 * extensions) to check state without driving the UI. Holds no secrets.
 */
import type * as vscode from 'vscode';
import type { Engine, IndexReport } from '../core/engineTypes';
import type { RelatedView, ResultItem, SearchFilterMessage, StatusInfo, TagsView, TopicsView } from '../protocol/messages';

export interface SemanticWorkspaceApi {
  /** The engine of the workspace folder holding `folderUri` (opened on demand). */
  getEngine(folderUri: vscode.Uri | string): Promise<Engine | undefined>;
  /** Indexes every folder, exactly as the `indexWorkspace` command (consent included). */
  indexAll(options?: { readonly rebuild?: boolean }): Promise<IndexReport[] | undefined>;
  /** The status last shown in the status bar. */
  lastStatus(): StatusInfo;
  /** Recomputes the status from the engines and returns it. */
  refreshStatus(): Promise<StatusInfo>;
  /** The merged, hydrated results the QuickPick and the sidebar show. */
  search(query: string, filter?: SearchFilterMessage): Promise<ResultItem[]>;
  /** Sends pending watcher/save updates now instead of after the debounce. */
  flushLiveUpdates(): Promise<void>;
  /** Whether this workspace consented to uploads to the configured endpoint. */
  hasConsent(): boolean;
  /** What the sidebar currently shows. */
  sidebar(): { readonly ready: boolean; readonly topics?: TopicsView; readonly tags?: TagsView; readonly related?: RelatedView };
}
