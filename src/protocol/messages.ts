/**
 * The typed messages between the extension host and the sidebar webview. Both sides import this
 * file (the webview with `import type` only), so a message shape is declared exactly once.
 *
 * Conventions: every message has a readonly literal `type`; webview → extension requests carry a
 * numeric `id` and are answered by a `reply` `{id, ok, result | error}`. Notifications carry no id.
 * Every inbound message is checked by `validate.ts` before the extension acts on it.
 * This file imports nothing (it is shared by Node and the browser).
 */

export const PROTOCOL_VERSION = 1;

export type KindFilter = 'all' | 'code' | 'doc';
export type SearchModeName = 'hybrid' | 'dense' | 'keyword';
export type ProviderName = 'offline' | 'dashscope' | 'openai';

/** The sidebar's filters; empty strings mean "no filter". */
export interface SearchFilterMessage {
  readonly kind: KindFilter;
  /** Folder or glob over the POSIX relative path, e.g. `src/` or `docs/**\/*.md`. */
  readonly glob: string;
  /** Language id (`typescript`, `markdown`, …). */
  readonly language: string;
}

/**
 * A place in the workspace. `folder` is the key of a workspace folder (as sent in `init`),
 * `path` a POSIX path relative to it. The extension re-checks both before opening anything.
 */
export interface FileRef {
  readonly folder: string;
  readonly path: string;
  /** 1-based, inclusive. */
  readonly startLine?: number;
  readonly endLine?: number;
  /** A piece of one long line: 1-based inclusive columns within startLine. */
  readonly startColumn?: number;
  readonly endColumn?: number;
}

export interface ResultItem extends FileRef {
  readonly startLine: number;
  readonly endLine: number;
  readonly folderName: string;
  readonly kind: 'code' | 'doc';
  readonly language: string;
  readonly symbol: string;
  readonly score: number;
  /** A few lines of the chunk's current text (never the whole file). */
  readonly snippet: string;
  /** Query terms found in the chunk (the "why" of the keyword side). */
  readonly terms: readonly string[];
  readonly vectorScore?: number;
  readonly keywordScore?: number;
}

export interface SearchResult {
  readonly query: string;
  readonly items: readonly ResultItem[];
  readonly tookMs: number;
  /** Localized: keyword results only (the query could not be embedded), or first-stage order (the rerank failed). */
  readonly note?: string;
  /** The note offers Set API Key (the key was refused). */
  readonly noteAction?: 'setApiKey';
  /** No index yet and the first one is being built: `note` says so. Neither an error nor "no results". */
  readonly waiting?: true;
}

export type StatusState = 'noIndex' | 'indexing' | 'ready' | 'incomplete' | 'error';

/** How much of the workspace the index covers (state 'incomplete': what is missing and why). */
export interface CoverageInfo {
  readonly filesIndexed: number;
  readonly filesTotal: number;
  readonly chunksIndexed: number;
  readonly chunksTotal: number;
  /** Failure class or other reason of the largest missing group (`network`, `auth`, `cancelled`, …). */
  readonly reason?: string;
  /** Localized short reason: "DashScope unreachable", "API key rejected", … */
  readonly reasonText?: string;
}

/** Live progress of a run: the work that costs (chunks and tokens embedded). */
export interface ProgressInfo {
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly tokensDone: number;
  readonly tokensTotal: number;
  /** Localized line: "1,052 of 3,894 chunks · 84/s · 35 s left", "Retrying in 8 s — attempt 3 of 10", … */
  readonly text: string;
  /** Set while waiting: for the rate limit, or for a retry. */
  readonly waiting?: 'rate-limit' | 'retry';
}

/** What the status bar and the sidebar header show; also returned by the test API. */
export interface StatusInfo {
  readonly state: StatusState;
  /** The provider actually running (offline in an untrusted workspace). */
  readonly provider: ProviderName;
  readonly label: string;
  readonly chunks: number;
  readonly files: number;
  /** 0–100 while indexing. */
  readonly percent?: number;
  /** While indexing: chunks/tokens embedded, rate, ETA, retries. */
  readonly progress?: ProgressInfo;
  /** Coverage of the index (always set once an index exists). */
  readonly coverage?: CoverageInfo;
  /** Localized detail (error text, "keyword mode", …). */
  readonly message?: string;
  /** True in Restricted Mode. */
  readonly restricted: boolean;
  /** The last search answered from keywords only (the endpoint failed): localized, shown until a full search. */
  readonly searchNote?: string;
  /** The team index's last outcome (src/extension/teamIndex.ts), when one is configured. */
  readonly team?: TeamStatusInfo;
}

/** "team index: N chunks shared, M embedded locally", or why the team index is not in use (localized). */
export interface TeamStatusInfo {
  readonly text: string;
  /** False when the database failed or is not used: the text is a warning. */
  readonly ok: boolean;
  /** The full sentence (host, snapshot, or the error and that local search is unaffected). */
  readonly detail: string;
}

export interface TopicMember extends FileRef {
  /** The display path (prefixed with the folder name in a multi-root workspace). */
  readonly title: string;
  /** Cosine to the topic centroid (for outliers: to the nearest topic's centroid). */
  readonly score: number;
}

export interface TopicView {
  readonly id: number;
  /** The core's label: the first keywords joined with " · ". */
  readonly name: string;
  readonly terms: readonly string[];
  readonly size: number;
  /** Display path of the member closest to the centroid. */
  readonly representative: string;
  /** Closest to the centroid first. */
  readonly members: readonly TopicMember[];
}

export interface OutlierNoteView extends TopicMember {
  /** Name of the nearest topic ('' when there are no topics). */
  readonly nearest: string;
}

/** One point of the 2-D topic map; coordinates are normalized to [0, 1]. */
export interface MapPoint {
  readonly x: number;
  readonly y: number;
  /** Topic id, -1 for outliers. */
  readonly topic: number;
  readonly title: string;
  readonly ref: FileRef;
}

export interface TopicsView {
  readonly topics: readonly TopicView[];
  /** The explicit outlier group: notes that fit no topic, least fitting first. */
  readonly outliers: readonly OutlierNoteView[];
  readonly points: readonly MapPoint[];
  /** Notes considered. */
  readonly notes: number;
  /** True when the vectors are the offline ones (trained on this workspace): the UI says so. */
  readonly offline: boolean;
  /** The notes changed since these topics were made: shown dimmed, with "Cluster again". */
  readonly stale?: boolean;
}

export type ClassificationModeName = 'embedding' | 'keyword-overlap';

export interface TagScore {
  readonly label: string;
  readonly description?: string;
  /** Cosine (embedding mode) or keyword-overlap blend (offline); higher is better. */
  readonly score: number;
  /** Independent per-label confidence in [0, 1] (0.5 exactly at the threshold). */
  readonly confidence: number;
  /** score ≥ threshold. */
  readonly matched: boolean;
  /** Pre-checked in the sidebar (= matched). */
  readonly checked: boolean;
}

export interface TagsView {
  /** The file the classified selection came from. */
  readonly target: FileRef;
  readonly title: string;
  /** Every label, best first. */
  readonly scores: readonly TagScore[];
  /** The score at which a label counts as matched. */
  readonly threshold: number;
  /** `keyword-overlap` offline: the UI says scoring is degraded. */
  readonly mode: ClassificationModeName;
  /** How many labels came from the setting, the label file and the notes' frontmatter. */
  readonly sources: { readonly setting: number; readonly file: number; readonly frontmatter: number };
  /** Another file is in the editor: the scores stay readable, Apply is off until `target` is back. */
  readonly stale?: boolean;
}

export interface RelatedItem {
  readonly ref: FileRef;
  readonly title: string;
  readonly score: number;
  readonly pinned: boolean;
  readonly kind?: 'code' | 'doc';
}

/** Why Related lists nothing: no file open, no index yet, the file is not in the index, no neighbours. */
export type RelatedEmpty = 'noFile' | 'noIndex' | 'notIndexed' | 'none';

export interface RelatedView {
  /** Relative path of the active editor's file; undefined when none is indexed. */
  readonly forTitle?: string;
  readonly items: readonly RelatedItem[];
  /** Set when `items` is empty: what the section says instead. */
  readonly empty?: RelatedEmpty;
}

export interface FolderInfo {
  readonly key: string;
  readonly name: string;
}

/** Commands the webview may ask the extension to run: an allow-list, nothing else. */
export const SIDEBAR_COMMANDS = [
  'indexWorkspace', 'clusterNotes', 'findOutliers', 'findDuplicates', 'classifySelection', 'setApiKey', 'chooseProvider', 'exportTopicReport',
] as const;
export type SidebarCommand = (typeof SIDEBAR_COMMANDS)[number];

/** Keys of the localized strings the extension sends in `init` (the webview has no English of its own). */
export const STRING_KEYS = [
  'searchPlaceholder', 'searchLabel', 'filters', 'kindAll', 'kindCode', 'kindDoc', 'globPlaceholder', 'languagePlaceholder',
  'results', 'noResults', 'searching', 'typeToSearch', 'score', 'why', 'vectorScore', 'keywordScore', 'matchedTerms',
  'topics', 'tags', 'related', 'clusterNotes', 'findOutliers', 'findDuplicates', 'classifySelection', 'indexWorkspace',
  'noTopics', 'noTags', 'noRelated', 'topicMap', 'apply', 'pin', 'unpin', 'hide', 'members', 'openToSide',
  'statusNoIndex', 'statusIndexing', 'statusReady', 'chunksCount', 'statusError', 'restricted', 'error', 'relatedFor', 'setApiKey', 'chooseProvider',
  'outliers', 'representative', 'exportReport', 'addTopicTag', 'addNoteTag', 'topicsOffline', 'notesCount', 'nearestTopic',
  'threshold', 'confidence', 'matched', 'tagsOffline', 'tagsEmbedding', 'labelSources', 'tagsApplied', 'noOutliers',
  'statusIncomplete', 'resume', 'coverageNote',
  'topicsStale', 'tagsStale', 'relatedNoIndex', 'relatedNotIndexed', 'relatedNone',
] as const;
export type StringKey = (typeof STRING_KEYS)[number];
export type Strings = Readonly<Record<StringKey, string>>;

// ---------------------------------------------------------------------------------------------
// Webview → extension

/** Sent once the webview's script has loaded and listens; the extension answers with `init`. */
export interface ReadyMessage { readonly type: 'ready'; readonly version: number }
/** Request: run a search. Answered by a reply whose result is a `SearchResult`. */
export interface SearchRequest { readonly type: 'search'; readonly id: number; readonly query: string; readonly filter: SearchFilterMessage }
/** Drop an in-flight request (the user typed on); its reply, if any, is ignored. */
export interface CancelMessage { readonly type: 'cancel'; readonly id: number }
/** Open a file at a range (only inside a workspace folder). */
export interface OpenMessage { readonly type: 'open'; readonly ref: FileRef; readonly side: boolean }
/** Request: apply the checked tags to the target file. Result: `{ applied: number }`. */
export interface ApplyTagsRequest { readonly type: 'applyTags'; readonly id: number; readonly target: FileRef; readonly labels: readonly string[] }
export interface PinRelatedMessage { readonly type: 'pinRelated'; readonly ref: FileRef; readonly pinned: boolean }
export interface HideRelatedMessage { readonly type: 'hideRelated'; readonly ref: FileRef }
export interface RunCommandMessage { readonly type: 'runCommand'; readonly command: SidebarCommand }
/**
 * Add a topic's name to notes' frontmatter tags: one note (`ref`) or the topic's members (chosen in
 * a QuickPick). The extension always shows a diff preview before editing anything.
 */
export interface AddTopicTagMessage { readonly type: 'addTopicTag'; readonly topic: number; readonly ref?: FileRef }

export type FromWebviewMessage =
  | ReadyMessage | SearchRequest | CancelMessage | OpenMessage | ApplyTagsRequest
  | PinRelatedMessage | HideRelatedMessage | RunCommandMessage | AddTopicTagMessage;

// ---------------------------------------------------------------------------------------------
// Extension → webview

/** The answer to `ready`: strings, folders, status and whatever analysis results exist. */
export interface InitMessage {
  readonly type: 'init';
  readonly version: number;
  readonly strings: Strings;
  readonly folders: readonly FolderInfo[];
  readonly status: StatusInfo;
  readonly topics?: TopicsView;
  readonly tags?: TagsView;
  readonly related?: RelatedView;
}
export interface StatusMessage { readonly type: 'status'; readonly status: StatusInfo }
/** Put a query in the search box (from the QuickPick title button or "Search for Selection"). */
export interface SetQueryMessage { readonly type: 'setQuery'; readonly query: string }
export interface TopicsMessage { readonly type: 'topics'; readonly view: TopicsView }
export interface TagsMessage { readonly type: 'tags'; readonly view: TagsView }
export interface RelatedMessage { readonly type: 'related'; readonly view: RelatedView }
/** Results that no longer apply (the provider changed: other vectors) are dropped. */
export interface ClearResultsMessage { readonly type: 'clearResults'; readonly sections: readonly ('topics' | 'tags')[] }
/** The index or provider changed: the shown search results are re-run (quietly) if there are any. */
export interface RefreshSearchMessage { readonly type: 'refreshSearch' }
export type ReplyMessage =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

export type ToWebviewMessage =
  | InitMessage | StatusMessage | SetQueryMessage | TopicsMessage | TagsMessage | RelatedMessage
  | ClearResultsMessage | RefreshSearchMessage | ReplyMessage;
