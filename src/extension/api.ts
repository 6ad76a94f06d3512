/**
 * What `activate()` returns: a small API for the extension-host test suite (and other
 * extensions) to check state without driving the UI. Holds no secrets. The analysis members run
 * the same code as the commands and return the same data the sidebar and QuickPicks show (and
 * update the sidebar like the commands do), but never open dialogs.
 */
import * as vscode from 'vscode';
import { findIgnoredMachineSettings, userSettingsFileOf, type IgnoredSetting } from './settingScope';
import type { Engine, IndexReport } from '../core/engineTypes';
import type { RelatedView, ResultItem, SearchFilterMessage, StatusInfo, TagsView, TopicsView } from '../protocol/messages';
import type { OutlierEntry } from './analysis';
import { classifyInFile } from './commands/analysisCommands';
import { computeTopics, topicReportText } from './commands/topicCommands';
import type { SourcedLabel } from './labelSources';
import type { RankedSearch } from './searchService';
import type { Services } from './services';

export interface DuplicateGroupInfo {
  /** Mean cosine of the group's pairs. */
  readonly score: number;
  /** Display paths (folder-prefixed in multi-root), 1-based inclusive lines. */
  readonly members: readonly { readonly path: string; readonly startLine: number; readonly endLine: number }[];
}

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
  /** What the sidebar shows: the results after the rerank stage (when it runs) and its outcome. */
  searchRanked(query: string, filter?: SearchFilterMessage): Promise<RankedSearch>;
  /** Sends pending watcher/save updates now instead of after the debounce. */
  flushLiveUpdates(): Promise<void>;
  /** Whether this workspace consented to uploads to the configured endpoint. */
  hasConsent(): boolean;
  /** What the sidebar currently shows. */
  sidebar(): { readonly ready: boolean; readonly topics?: TopicsView; readonly tags?: TagsView; readonly related?: RelatedView };
  /** Clusters the notes (notesGlobs from settings) and shows the Topics section; returns what it shows. */
  clusterNotes(): Promise<TopicsView>;
  /** The Markdown topic report of the last clustering (clusters first when there is none). */
  topicReport(): Promise<string | undefined>;
  /**
   * Classifies `text` as if it were selected in `file` (default: the active editor's file) with the
   * merged labels; shows and returns the Tags section's data (undefined: no labels or no consent).
   */
  classify(text: string, file?: vscode.Uri | string): Promise<TagsView | undefined>;
  /** The merged labels Classify Selection would use for `folderUri` (default: the first folder). */
  labels(folderUri?: vscode.Uri | string): Promise<SourcedLabel[]>;
  /** The Related section's data for a file (URI, absolute path or path relative to the first folder). */
  related(file: vscode.Uri | string): Promise<RelatedView>;
  /** Pinned, hidden and recently opened files (`folderUri|path` keys), as persisted. */
  /** Machine-scoped values in the User settings that this (remote) window ignores. */
  ignoredMachineSettings(): readonly IgnoredSetting[];
  relatedLists(): { readonly pinned: readonly string[]; readonly hidden: readonly string[]; readonly recent: readonly string[] };
  /** Find Outliers' list (score = 1 − cosine to the group), most outlying first. */
  outliers(): Promise<OutlierEntry[]>;
  /** Find Duplicates' groups, best first. */
  duplicates(): Promise<DuplicateGroupInfo[]>;
}

/** A URI from a URI, a URI string, an absolute path or a path relative to the first folder. */
function toUri(s: Services, file: vscode.Uri | string): vscode.Uri {
  if (typeof file !== 'string') return file;
  if (/^[a-z][\w+.-]+:/i.test(file) && !/^[a-z]:[\\/]/i.test(file)) return vscode.Uri.parse(file);
  if (/^([\\/]|[a-z]:[\\/])/i.test(file)) return vscode.Uri.file(file);
  const folder = s.engines.folders()[0];
  return folder ? vscode.Uri.joinPath(folder.uri, file) : vscode.Uri.file(file);
}

export function testApi(s: Services): SemanticWorkspaceApi {
  const { engines, indexer, status, search, consent, sidebar, analysis, related } = s;
  return {
    async getEngine(folderUri) {
      const uri = typeof folderUri === 'string' ? vscode.Uri.parse(folderUri) : folderUri;
      const owner = vscode.workspace.getWorkspaceFolder(uri);
      const folder = owner && engines.folderByKey(owner.uri.toString());
      return folder ? engines.get(folder) : undefined;
    },
    async indexAll(options) {
      const r = await indexer.indexAll({ rebuild: options?.rebuild });
      s.live();
      return r;
    },
    lastStatus: () => status.current,
    async refreshStatus() {
      await indexer.refreshStatus(false);
      return status.current;
    },
    search: (query, filter) => search.search(query, { filter }),
    searchRanked: (query, filter) => search.ranked(query, { filter }),
    flushLiveUpdates: () => s.live().flush(),
    hasConsent: () => consent.has(),
    sidebar: () => sidebar.snapshot(),
    clusterNotes: () => computeTopics(s),
    topicReport: () => topicReportText(s),
    async classify(text, file) {
      const uri = file !== undefined ? toUri(s, file) : vscode.window.activeTextEditor?.document.uri;
      if (!uri) return undefined;
      const lines = text.split('\n').length;
      return classifyInFile(s, uri, text, 1, lines);
    },
    async labels(folderUri) {
      const uri = folderUri === undefined ? engines.folders()[0]?.uri : toUri(s, folderUri);
      const owner = uri && vscode.workspace.getWorkspaceFolder(uri);
      const folder = owner && engines.folderByKey(owner.uri.toString());
      return folder ? analysis.labels(folder) : [];
    },
    related: (file) => related.compute(toUri(s, file)),
    relatedLists: () => related.lists(),
    ignoredMachineSettings: () => findIgnoredMachineSettings(userSettingsFileOf(s.context)),
    outliers: () => analysis.outliers(),
    async duplicates() {
      const { results } = await analysis.duplicates();
      return results.flatMap((r) => r.groups).sort((a, b) => b.score - a.score).map((g) => ({ score: g.score, members: g.members }));
    },
  };
}
