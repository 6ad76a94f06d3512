/**
 * Topics, tags, outliers and duplicates. Results go to the sidebar (topics, tags) or to a
 * QuickPick (outliers, duplicates); the algorithms live in the core (see ../analysis.ts).
 */
import * as vscode from 'vscode';
import type { ChunkInfo } from '../../core/types';
import type { FileRef, MapPoint, TagScore, TopicView } from '../../protocol/messages';
import * as analysis from '../analysis';
import { errorText } from '../log';
import { openRef, refOf } from '../open';
import { readSettings } from '../settings';
import type { Command, Services } from '../services';
import { selectionText } from './search';

function ref(folder: vscode.WorkspaceFolder, c: ChunkInfo): FileRef {
  return { folder: folder.uri.toString(), path: c.path, startLine: c.startLine, endLine: c.endLine };
}

const title = (c: ChunkInfo): string => (c.symbol ? `${c.path} › ${c.symbol}` : c.path);

/** Runs `fn` with progress and turns "engine lacks this method" into a readable message. */
async function withAnalysis<T>(s: Services, label: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  try {
    if (!(await s.search.hasIndex())) {
      const index = vscode.l10n.t('Index Now');
      if ((await vscode.window.showInformationMessage(vscode.l10n.t('This workspace has no semantic index yet. Index it now?'), index)) !== index) return undefined;
      await s.indexer.indexAll();
    }
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: label, cancellable: true }, (_p, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return fn(ac.signal);
    });
  } catch (e) {
    if (e instanceof analysis.NotAvailable) {
      s.log.channel.warn(e.message);
      void vscode.window.showWarningMessage(vscode.l10n.t('This analysis is not available in this version of the engine.'));
    } else if (!(e instanceof Error && e.name === 'AbortError')) {
      s.log.channel.error(errorText(e));
      void vscode.window.showErrorMessage(errorText(e));
    }
    return undefined;
  }
}

async function clusterNotes(s: Services): Promise<void> {
  const globs = readSettings().notesGlobs;
  const done = await withAnalysis(s, vscode.l10n.t('Clustering notes into topics…'), async (signal) => {
    const topics: TopicView[] = [];
    const raw: MapPoint[] = [];
    let offset = 0; // topic ids stay unique across folders
    const multiRoot = s.engines.folders().length > 1;
    for (const { folder, engine } of await s.engines.all()) {
      const r = await analysis.clusterNotes(engine, { notesGlobs: globs, signal });
      const key = folder.uri.toString();
      const name = (p: string): string => (multiRoot ? `${folder.name}/${p}` : p);
      for (const t of r.topics) {
        topics.push({
          id: t.id + offset,
          name: t.label,
          terms: t.keywords.slice(0, 10),
          size: t.size,
          members: t.members.slice(0, 50).map((m) => ({ folder: key, path: m.path, title: name(m.path) })),
        });
        for (const m of t.members) raw.push({ x: m.x, y: m.y, topic: t.id + offset, title: `${name(m.path)} — ${t.label}`, ref: { folder: key, path: m.path } });
      }
      for (const o of r.outliers) raw.push({ x: o.x, y: o.y, topic: -1, title: name(o.path), ref: { folder: key, path: o.path } });
      offset += r.topics.length;
    }
    return { topics, points: normalize(raw.slice(0, 2000)) };
  });
  if (!done) return;
  if (done.topics.length === 0) void vscode.window.showInformationMessage(vscode.l10n.t('Not enough indexed notes to find topics.'));
  s.sidebar.showTopics(done);
  await s.sidebar.reveal();
}

/** Scales the 2-D projection into [0, 1] on both axes (the webview draws into a fixed viewBox). */
function normalize(points: readonly MapPoint[]): MapPoint[] {
  if (points.length === 0) return [];
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = x1 - x0 || 1, sy = y1 - y0 || 1;
  return points.map((p) => ({ ...p, x: (p.x - x0) / sx, y: (p.y - y0) / sy }));
}

async function classifySelection(s: Services): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const text = selectionText();
  const here = editor && refOf(s.engines, editor.document.uri);
  if (!editor || !text || !here) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Select text in a file of this workspace first.'));
    return;
  }
  const tags = readSettings(here.folder.uri).tags;
  if (tags.length === 0) {
    const open = vscode.l10n.t('Open Settings');
    if ((await vscode.window.showInformationMessage(vscode.l10n.t('No tags are defined. Add some in the "semanticWorkspace.tags" setting.'), open)) === open) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'semanticWorkspace.tags');
    }
    return;
  }
  const sel = editor.selection;
  const scores = await withAnalysis(s, vscode.l10n.t('Classifying the selection…'), async (signal) =>
    analysis.classify(await s.engines.get(here.folder), text, tags, signal),
  );
  if (!scores) return;
  const best = scores[0]?.score ?? 0;
  const view: TagScore[] = scores.map((sc) => ({
    label: sc.label,
    description: tags.find((t) => t.label === sc.label)?.description,
    score: sc.score,
    // Pre-check the clear winners; people adjust the rest.
    checked: sc.score >= Math.max(0.3, best - 0.05),
  }));
  s.sidebar.showTags({
    target: { folder: here.folder.uri.toString(), path: here.path, startLine: sel.start.line + 1, endLine: sel.end.line + 1 },
    title: here.path,
    scores: view,
  });
  await s.sidebar.reveal();
}

/** Notes that fit no topic (the clustering's explicit outlier group), least fitting first. */
async function findOutliers(s: Services): Promise<void> {
  const globs = readSettings().notesGlobs;
  const found = await withAnalysis(s, vscode.l10n.t('Looking for outliers…'), async (signal) => {
    const out: { folder: vscode.WorkspaceFolder; path: string; score: number }[] = [];
    for (const { folder, engine } of await s.engines.all()) {
      for (const o of (await analysis.clusterNotes(engine, { notesGlobs: globs, signal })).outliers) out.push({ folder, path: o.path, score: o.score });
    }
    return out.sort((a, b) => a.score - b.score);
  });
  if (!found) return;
  const pick = await vscode.window.showQuickPick(
    found.map((o) => ({
      label: `$(circle-slash) ${o.path}`,
      detail: vscode.l10n.t('Similarity to the nearest topic: {0}', o.score.toFixed(3)),
      ref: { folder: o.folder.uri.toString(), path: o.path },
    })),
    { title: vscode.l10n.t('Outliers: notes that fit no topic'), placeHolder: found.length ? undefined : vscode.l10n.t('No outliers found.') },
  );
  if (pick) await openRef(s.engines, pick.ref);
}

async function findDuplicates(s: Services): Promise<void> {
  const found = await withAnalysis(s, vscode.l10n.t('Looking for near-duplicates…'), async (signal) => {
    const out: { folder: vscode.WorkspaceFolder; d: analysis.DuplicatePair }[] = [];
    for (const { folder, engine } of await s.engines.all()) {
      for (const d of await analysis.duplicates(engine, { signal })) out.push({ folder, d });
    }
    return out.sort((a, b) => b.d.score - a.d.score);
  });
  if (!found) return;
  const pick = await vscode.window.showQuickPick(
    found.map(({ folder, d }) => ({
      label: `$(files) ${d.a.path}:${d.a.startLine} ↔ ${d.b.path}:${d.b.startLine}`,
      detail: vscode.l10n.t('Similarity {0}', d.score.toFixed(3)),
      a: ref(folder, d.a),
      b: ref(folder, d.b),
    })),
    { title: vscode.l10n.t('Near-duplicates'), placeHolder: found.length ? undefined : vscode.l10n.t('No near-duplicates found.') },
  );
  if (!pick) return;
  await openRef(s.engines, pick.a);
  await openRef(s.engines, pick.b, true);
}

export function analysisCommands(s: Services): Command[] {
  return [
    { id: 'semanticWorkspace.clusterNotes', execute: () => clusterNotes(s) },
    { id: 'semanticWorkspace.classifySelection', execute: () => classifySelection(s) },
    { id: 'semanticWorkspace.findOutliers', execute: () => findOutliers(s) },
    { id: 'semanticWorkspace.findDuplicates', execute: () => findDuplicates(s) },
  ];
}
