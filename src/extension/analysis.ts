/**
 * The analysis features over the core (`src/core/analysis`), for every workspace folder: topics,
 * zero-shot tags, related files, outliers and duplicates. One engine per folder provides
 * `loadForAnalysis()`; `analysisSpace.ts` merges folders whose vectors are comparable and prefixes
 * paths by folder in multi-root workspaces. Loaded inputs are cached until the index changes (an
 * index run, a live update or an engine reset), so related files on every editor switch stay cheap.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  classifyText, clusterNotes, collectFrontmatterTags, computeFileVectors, findDuplicates, findOutliers, notesMatcher, parseLabelsFile,
  relatedFiles, type Classification, type DuplicatesResult, type FileVectors, type NoteClustering, type OutlierFile, type RelatedResult,
} from '../core/analysis';
import type { Engine } from '../core/engineTypes';
import type { OutlierNoteView, TopicsView } from '../protocol/messages';
import { buildSpace, type AnalysisSpace, type FolderInput, type SpacePart } from './analysisSpace';
import type { Engines } from './engines';
import type { Indexer } from './indexing';
import { LABEL_FILES, mergeLabels, type SourcedLabel } from './labelSources';
import type { Log } from './log';
import { readSettings } from './settings';

/** Frontmatter lives at the top: this much of each note is enough, and bounds the cost on big vaults. */
const FRONTMATTER_BYTES = 16 * 1024;
const MAX_NOTES_FOR_TAGS = 5000;

export interface Clustered {
  readonly view: TopicsView;
  /** The notes it was made from (paths and content hashes): tells when the topics went stale. */
  readonly signature: string;
  /** Per part, for `findOutliers({topics})` and for tagging notes with a topic. */
  readonly results: readonly { readonly part: SpacePart; readonly result: NoteClustering; readonly idOffset: number }[];
}

export interface OutlierEntry extends OutlierFile {
  readonly folder: string;
  /** Path relative to its folder. */
  readonly relPath: string;
  /** A note the Topics section lists under Outliers (it fits no topic). */
  readonly topicOutlier?: boolean;
}

export class NoIndexYet extends Error {
  constructor() {
    super('no index');
  }
}

export class AnalysisService implements vscode.Disposable {
  private space: Promise<AnalysisSpace | undefined> | undefined;
  private readonly fileVectors = new WeakMap<SpacePart, FileVectors>();
  /** Label vectors per engine: an engine is replaced when provider/model/key change, and so is its cache. */
  private readonly labelCaches = new WeakMap<Engine, Map<string, Float32Array>>();
  private frontmatterTags: Promise<string[]> | undefined;
  private lastClustering: Clustered | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the index changed (loaded inputs were dropped): views showing results refresh. */
  readonly onDidInvalidate = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly engines: Engines,
    indexer: Indexer,
    private readonly log: Log,
  ) {
    this.disposables.push(
      indexer.onDidIndex(() => this.invalidate()),
      engines.onDidReset(() => this.invalidate()),
    );
  }

  private invalidate(): void {
    this.space = undefined;
    this.frontmatterTags = undefined;
    this.changed.fire();
  }

  get clustering(): Clustered | undefined {
    return this.lastClustering;
  }

  /** The analysis space over every folder that has an index (undefined when none has). */
  getSpace(): Promise<AnalysisSpace | undefined> {
    if (!this.space) {
      const p = this.load();
      this.space = p;
      p.catch(() => {
        if (this.space === p) this.space = undefined; // a failed load is retried next time
      });
    }
    return this.space;
  }

  private async load(): Promise<AnalysisSpace | undefined> {
    const folders: FolderInput[] = [];
    for (const { folder, engine } of await this.engines.all()) {
      const input = await engine.loadForAnalysis();
      if (!input || input.chunks.length === 0) continue;
      folders.push({ key: folder.uri.toString(), name: folder.name, label: (await engine.status()).label, input });
    }
    return folders.length ? buildSpace(folders) : undefined;
  }

  private async requireSpace(): Promise<AnalysisSpace> {
    const space = await this.getSpace();
    if (!space) throw new NoIndexYet();
    return space;
  }

  vectorsOf(part: SpacePart): FileVectors {
    let v = this.fileVectors.get(part);
    if (!v) this.fileVectors.set(part, (v = computeFileVectors(part.input)));
    return v;
  }

  /** Topics over every part; ids are unique across parts, display paths prefixed in multi-root. */
  async cluster(signal?: AbortSignal): Promise<Clustered> {
    const space = await this.requireSpace();
    const globs = space.globs(readSettings().notesGlobs);
    const results: Clustered['results'][number][] = [];
    let offset = 0;
    for (const part of space.parts) {
      signal?.throwIfAborted();
      const result = await clusterNotes(part.input, { notesGlobs: globs });
      results.push({ part, result, idOffset: offset });
      offset += result.topics.length;
    }
    const clustered = { view: topicsView(space, results), results, signature: notesSignature(space, globs) };
    this.lastClustering = clustered;
    return clustered;
  }

  /** True when the notes in the index differ from those the last topics were made from. */
  async topicsOutdated(): Promise<boolean> {
    const last = this.lastClustering;
    if (!last) return false;
    const space = await this.getSpace().catch(() => undefined);
    return !space || notesSignature(space, space.globs(readSettings().notesGlobs)) !== last.signature;
  }

  /** The merged labels for Classify Selection in `folder`. */
  async labels(folder: vscode.WorkspaceFolder): Promise<SourcedLabel[]> {
    const setting = readSettings(folder.uri).tags;
    let file: SourcedLabel[] = [];
    for (const name of LABEL_FILES) {
      const text = await fs.promises.readFile(path.join(folder.uri.fsPath, name), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      file = parseLabelsFile(text).map((l) => ({ ...l, source: 'file' as const }));
      break;
    }
    const frontmatter = (await this.noteTags().catch(() => [])).map((label) => ({ label }));
    return mergeLabels({ setting, file, frontmatter });
  }

  /** Tags used in the notes' frontmatter, read from the notes the index knows (heads only). */
  private noteTags(): Promise<string[]> {
    this.frontmatterTags ??= (async () => {
      const space = await this.getSpace();
      if (!space) return [];
      const isNote = notesMatcher(space.globs(readSettings().notesGlobs));
      const paths = new Set<string>();
      for (const part of space.parts) for (const c of part.input.chunks) if (c.language === 'markdown' && isNote(c.path)) paths.add(c.path);
      const heads: string[] = [];
      for (const p of [...paths].slice(0, MAX_NOTES_FOR_TAGS)) {
        const ref = space.toRef(p);
        const folder = ref && this.engines.folderByKey(ref.folder);
        if (folder) heads.push(await readHead(path.join(folder.uri.fsPath, ...ref.path.split('/'))));
      }
      return collectFrontmatterTags(heads);
    })();
    return this.frontmatterTags;
  }

  /** Zero-shot tags for `text` with `folder`'s engine; label vectors are cached per engine. */
  async classify(folder: vscode.WorkspaceFolder, text: string, labels: readonly SourcedLabel[]): Promise<Classification> {
    const engine = await this.engines.get(folder);
    let labelCache = this.labelCaches.get(engine);
    if (!labelCache) this.labelCaches.set(engine, (labelCache = new Map()));
    const { provider } = await engine.status();
    return classifyText(text, labels, { provider, embed: (t, as) => engine.embedTexts(t, as), labelCache });
  }

  /** Related files of one file, in the part that holds it; paths are display paths. */
  async related(folderKey: string, relPath: string, options: { recent: { path: string; weight: number }[]; recentWeight: number; pinned: string[]; hidden: string[] }): Promise<{ space: AnalysisSpace; result: RelatedResult } | undefined> {
    const space = await this.getSpace();
    if (!space) return undefined;
    const display = space.display(folderKey, relPath);
    const part = space.parts.find((p) => p.folders.includes(folderKey));
    if (!part) return { space, result: { results: [], found: false } };
    const result = relatedFiles(part.input, display, { ...options, topK: 15, fileVectors: this.vectorsOf(part) });
    return { space, result };
  }

  /**
   * Outliers that agree with the Topics section: notes are exactly the topics' outliers, in the
   * same order (least fitting first), then other files (code, docs outside the notes globs) by
   * score vs their folder. The topics are the shown ones while they are current, otherwise notes
   * are clustered anew (`clustered` is then set, for the sidebar to show).
   */
  async outliers(signal?: AbortSignal): Promise<{ entries: OutlierEntry[]; clustered?: Clustered }> {
    const space = await this.requireSpace();
    const fresh = this.lastClustering && !(await this.topicsOutdated()) ? undefined : await this.cluster(signal);
    const clustering = fresh ?? this.lastClustering!;
    const notes: OutlierEntry[] = [];
    const others: OutlierEntry[] = [];
    for (const part of space.parts) {
      const key = part.folders.join('\n');
      const topics = clustering.results.find((r) => r.part.folders.join('\n') === key)?.result;
      const inTopics = new Set([...(topics?.topics ?? []).flatMap((t) => t.members.map((m) => m.path)), ...(topics?.outliers ?? []).map((o) => o.path)]);
      const order = new Map((topics?.outliers ?? []).map((o, i) => [o.path, i]));
      const results = findOutliers(part.input, { topics, fileVectors: this.vectorsOf(part), topK: Number.MAX_SAFE_INTEGER }).results;
      for (const r of results) {
        const ref = space.toRef(r.path);
        if (!ref) continue;
        if (order.has(r.path)) notes.push({ ...r, folder: ref.folder, relPath: ref.path, topicOutlier: true });
        else if (!inTopics.has(r.path)) others.push({ ...r, folder: ref.folder, relPath: ref.path });
      }
      notes.sort((a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0));
    }
    others.sort((a, b) => b.score - a.score);
    return { entries: [...notes, ...others].slice(0, 50), clustered: fresh };
  }

  async duplicates(signal?: AbortSignal): Promise<{ space: AnalysisSpace; results: DuplicatesResult[] }> {
    const space = await this.requireSpace();
    const threshold = readSettings().duplicateThreshold;
    const results: DuplicatesResult[] = [];
    for (const part of space.parts) results.push(await findDuplicates(part.input, { threshold, signal }));
    return { space, results };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.log.channel.debug('analysis service disposed');
  }
}

/** A digest of every note chunk's path, place and content hash (compared, never shown). */
function notesSignature(space: AnalysisSpace, globs: readonly string[]): string {
  const isNote = notesMatcher(globs);
  const parts: string[] = [];
  for (const part of space.parts) for (const c of part.input.chunks) if (isNote(c.path)) parts.push(`${c.path}:${c.startLine}:${c.hash}`);
  return createHash('sha256').update(parts.sort().join('\n')).digest('hex');
}

async function readHead(abs: string): Promise<string> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(abs, 'r');
    const buf = Buffer.alloc(FRONTMATTER_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

/** The sidebar's view of a clustering: core x/y (per part in [-1, 1]) rescaled into [0, 1]. */
function topicsView(space: AnalysisSpace, results: Clustered['results']): TopicsView {
  const ref = (p: string) => space.toRef(p) ?? { folder: '', path: p };
  const topics: TopicsView['topics'][number][] = [];
  const outliers: OutlierNoteView[] = [];
  const points: TopicsView['points'][number][] = [];
  let notes = 0;
  let offline = false;
  for (const { part, result, idOffset } of results) {
    notes += result.notes;
    offline ||= part.input.provider === 'offline';
    for (const t of result.topics) {
      const id = t.id + idOffset;
      topics.push({
        id,
        name: t.label,
        terms: t.keywords,
        size: t.size,
        representative: t.representative,
        members: t.members.map((m) => ({ ...ref(m.path), title: m.path, score: m.score })),
      });
      for (const m of t.members) points.push({ x: m.x, y: m.y, topic: id, title: `${m.path} — ${t.label}`, ref: ref(m.path) });
    }
    for (const o of result.outliers) {
      const nearest = o.nearestTopic === null ? '' : result.topics[o.nearestTopic]?.label ?? '';
      outliers.push({ ...ref(o.path), title: o.path, score: o.score, nearest });
      points.push({ x: o.x, y: o.y, topic: -1, title: o.path, ref: ref(o.path) });
    }
  }
  const scale = (v: number) => Math.min(1, Math.max(0, (v + 1) / 2));
  return { topics, outliers, notes, offline, points: points.slice(0, 5000).map((p) => ({ ...p, x: scale(p.x), y: scale(p.y) })) };
}
