/**
 * What `activate()` returns — only in ExtensionMode.Test (extension.ts): `getEngine` reaches an
 * engine, and so the key, without the door's dialogs, so no other extension may have it. It
 * lets the extension-host test suite check state without driving the UI. Holds no secrets.
 * `search` asks the door (door.ts) like the sidebar does. The analysis members run
 * the same code as the commands and return the same data the sidebar and QuickPicks show (and
 * update the sidebar like the commands do), but never open dialogs.
 */
import * as vscode from 'vscode';
import { findIgnoredMachineSettings, userSettingsFileOf, type IgnoredSetting } from './settingScope';
import type { Engine, IndexReport } from '../core/engineTypes';
import type { RelatedView, ResultItem, SearchFilterMessage, StatusInfo, TagsView, TopicsView } from '../protocol/messages';
import type { OutlierEntry } from './analysis';
import { classifyInFile } from './commands/analysisCommands';
import { similarToSelection } from './commands/search';
import { refOf } from './open';
import { computeTopics, topicReportText } from './commands/topicCommands';
import type { SourcedLabel } from './labelSources';
import type { RankedSearch } from './searchService';
import type { Services } from './services';
import { TeamSecrets, readTeamSettings } from './teamSettings';

export interface DuplicatePairInfo {
  /** Display paths (folder-prefixed in multi-root). */
  readonly a: string;
  readonly b: string;
  readonly kind: 'doc' | 'code';
  /** Share (0–1) of the two files' content that matches. */
  readonly share: number;
  readonly score: number;
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
  /** Find Outliers' list: the Topics section's outlier notes in its order, then other files by score. */
  outliers(): Promise<OutlierEntry[]>;
  /** Find Duplicates' rows: one per pair of files, highest share first. */
  duplicates(): Promise<DuplicatePairInfo[]>;
  /** What Search for Selection lists for lines `startLine`–`endLine` (1-based) of `file`. */
  searchSelection(file: vscode.Uri | string, startLine: number, endLine: number): Promise<ResultItem[]>;
  /** The context keys the Get Started walkthrough's steps complete on, as last set. */
  walkthroughContext(): Readonly<Record<string, boolean>>;
  /** The consent dialog's detail as it would show now (from a dry run; no dialog). */
  consentPreview(): Promise<string>;
  /** The team index's last failure notification (undefined: none) and whether a password is stored for the configured URL. */
  team(): Promise<{ readonly lastNotice?: string; readonly notices: number; readonly hasPassword: boolean }>;
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
  const { engines, indexer, status, search, consent, door, sidebar, analysis, related } = s;
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
    async search(query, filter) {
      const verdict = await door.check({ purpose: 'api', interactive: false, needsIndex: true, remoteAnswers: true });
      if (!verdict.ok) throw new Error(verdict.message);
      return search.search(query, { filter });
    },
    async searchRanked(query, filter) {
      const verdict = await door.check({ purpose: 'api', interactive: false, needsIndex: true, remoteAnswers: true });
      if (!verdict.ok) throw new Error(verdict.message);
      return search.ranked(query, { filter });
    },
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
    async outliers() {
      const found = await analysis.outliers();
      if (found.clustered) sidebar.showTopics(found.clustered.view);
      return found.entries;
    },
    async duplicates() {
      const { results } = await analysis.duplicates();
      return results
        .flatMap((r) => r.pairs)
        .sort((a, b) => b.share - a.share || b.score - a.score)
        .map((p) => ({ a: p.a, b: p.b, kind: p.kind, share: p.share, score: p.score }));
    },
    async searchSelection(file, startLine, endLine) {
      const uri = toUri(s, file);
      const here = refOf(engines, uri);
      if (!here) return [];
      const doc = await vscode.workspace.openTextDocument(uri);
      const text = doc.getText(new vscode.Range(startLine - 1, 0, endLine, 0)).trim().slice(0, 1000);
      return (await similarToSelection(s, text, { folder: here.folder.uri.toString(), path: here.path, startLine, endLine })).items;
    },
    walkthroughContext: () => s.panels.contextKeys(),
    consentPreview: () => consent.preview(),
    async team() {
      const t = readTeamSettings();
      return { lastNotice: engines.team?.lastNotice, notices: engines.team?.notices ?? 0, hasPassword: !!t && !!(await new TeamSecrets(s.context.secrets).get(t.url)) };
    },
  };
}
