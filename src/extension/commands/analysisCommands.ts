/**
 * Classify Selection, Find Outliers and Find Duplicates over the analysis core (see ../analysis.ts).
 * Tags go to the sidebar's Tags section and — from the editor context menu or the palette — to a
 * multi-select QuickPick; outliers and duplicates go to QuickPicks.
 */
import * as vscode from 'vscode';
import type { Classification } from '../../core/analysis';
import type { FileRef, TagsView } from '../../protocol/messages';
import { countSources, type SourcedLabel } from '../labelSources';
import { openRef, refOf, resolveRef } from '../open';
import type { Command, Services } from '../services';
import { applyTags } from '../tagEdits';
import { withAnalysis } from './progress';
import { topicCommands } from './topicCommands';

export function tagsView(target: FileRef, title: string, c: Classification, labels: readonly SourcedLabel[]): TagsView {
  return {
    target,
    title,
    scores: c.labels.map((l) => ({ ...l, checked: l.matched })),
    threshold: c.threshold,
    mode: c.mode,
    sources: countSources(labels),
  };
}

/** A line that says how the scores were made (offline: keyword overlap, degraded). */
export function modeText(view: Pick<TagsView, 'mode' | 'threshold'>): string {
  return view.mode === 'keyword-overlap'
    ? vscode.l10n.t('Offline: scores are keyword overlap (degraded), threshold {0}', view.threshold.toFixed(2))
    : vscode.l10n.t('Embedding similarity, threshold {0}', view.threshold.toFixed(2));
}

async function noLabels(): Promise<void> {
  const open = vscode.l10n.t('Open Settings');
  const file = vscode.l10n.t('Create Label File');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('No labels found. Add some to the "semanticWorkspace.tags" setting, to a .semantic-labels file at the folder root, or as tags in your notes\' frontmatter.'),
    open,
    file,
  );
  if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'semanticWorkspace.tags');
  if (choice === file) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const uri = vscode.Uri.joinPath(folder.uri, '.semantic-labels');
    const doc = await vscode.workspace.openTextDocument(uri.with({ scheme: 'untitled' }));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), vscode.l10n.t('# One label per line, optionally "label: description"\nbug: something is broken\n'));
    await vscode.workspace.applyEdit(edit);
    await vscode.window.showTextDocument(doc);
  }
}

/** Classifies text of a workspace file with the merged labels; updates the Tags section. */
export async function classifyInFile(s: Services, uri: vscode.Uri, text: string, startLine: number, endLine: number): Promise<TagsView | undefined> {
  const here = refOf(s.engines, uri);
  if (!here) throw new Error(vscode.l10n.t('That file is not inside this workspace.'));
  // The selection is embedded by the configured provider: never before the workspace's consent.
  if (!(await s.door.check({ purpose: 'classify', interactive: true })).ok) return undefined;
  const labels = await s.analysis.labels(here.folder);
  if (labels.length === 0) {
    void noLabels();
    return undefined;
  }
  const c = await s.analysis.classify(here.folder, text, labels);
  const target = { folder: here.folder.uri.toString(), path: here.path, startLine, endLine };
  const title = s.engines.folders().length > 1 ? `${here.folder.name}/${here.path}` : here.path;
  const view = tagsView(target, title, c, labels);
  s.sidebar.showTags(view);
  return view;
}

async function pickAndApply(s: Services, view: TagsView, uri: vscode.Uri): Promise<void> {
  const items = view.scores.map((l) => ({
    label: l.label,
    description: vscode.l10n.t('score {0} · confidence {1}%', l.score.toFixed(3), Math.round(l.confidence * 100)),
    detail: l.description,
    picked: l.matched,
  }));
  const picks = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Tags for {0} — {1}', view.title, modeText(view)),
    placeHolder: vscode.l10n.t('Matched labels are pre-selected; Enter applies the selected ones.'),
    canPickMany: true,
    matchOnDetail: true,
  });
  if (!picks?.length) return;
  const applied = await applyTags(uri, picks.map((p) => p.label), (view.target.startLine ?? 1) - 1);
  if (applied) void vscode.window.showInformationMessage(vscode.l10n.t('Tags added: {0}', picks.map((p) => p.label).join(', ')));
}

/**
 * From the editor context menu (a Uri argument) or the palette: scores in the sidebar AND a
 * QuickPick to apply. From the sidebar's button (`{source: 'sidebar'}`): the sidebar only. The
 * command resolves once the scores are shown; the QuickPick is not awaited.
 */
async function classifySelection(s: Services, arg?: unknown): Promise<TagsView | undefined> {
  const editor = vscode.window.activeTextEditor;
  const fromSidebar = !!arg && typeof arg === 'object' && (arg as { source?: unknown }).source === 'sidebar';
  const sel = editor?.selection;
  const text = editor && sel ? editor.document.getText(sel).trim() : '';
  if (!editor || !sel || !text || !refOf(s.engines, editor.document.uri)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Select text in a file of this workspace first.'));
    return undefined;
  }
  const uri = editor.document.uri;
  const view = await withAnalysis(s, vscode.l10n.t('Classifying the selection…'), () => classifyInFile(s, uri, text, sel.start.line + 1, sel.end.line + 1));
  if (!view) return undefined;
  if (fromSidebar) return view;
  void pickAndApply(s, view, uri).catch((e: unknown) => void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e)));
  return view;
}

async function findOutliers(s: Services): Promise<void> {
  const found = await withAnalysis(s, vscode.l10n.t('Looking for outliers…'), () => s.analysis.outliers());
  if (!found) return;
  const multiRoot = s.engines.folders().length > 1;
  const pick = await vscode.window.showQuickPick(
    found.map((o) => ({
      label: `$(circle-slash) ${o.path}`,
      description: vscode.l10n.t('score {0}', o.score.toFixed(3)),
      detail: o.group === 'topic' ? vscode.l10n.t('Compared with its topic: {0}', o.reference)
        : o.group === 'folder' ? vscode.l10n.t('Compared with its folder: {0}', multiRoot || o.reference !== '.' ? o.reference : vscode.l10n.t('(root)'))
        : vscode.l10n.t('Compared with the whole workspace'),
      ref: { folder: o.folder, path: o.relPath },
    })),
    {
      title: vscode.l10n.t('Outliers (score = 1 − cosine to their group, highest first)'),
      placeHolder: found.length ? vscode.l10n.t('Pick a file to open it') : vscode.l10n.t('No outliers found.'),
      matchOnDetail: true,
    },
  );
  if (pick) await openRef(s.engines, pick.ref);
}

async function findDuplicates(s: Services): Promise<void> {
  const found = await withAnalysis(s, vscode.l10n.t('Looking for near-duplicates…'), (signal) => s.analysis.duplicates(signal));
  if (!found) return;
  const { space, results } = found;
  const groups = results.flatMap((r) => r.groups).sort((a, b) => b.score - a.score);
  const threshold = results[0]?.threshold ?? 0;
  const where = (m: { path: string; startLine: number; endLine: number }) => `${m.path}:${m.startLine}-${m.endLine}`;
  const pick = await vscode.window.showQuickPick(
    groups.map((g) => ({
      label: `$(files) ${vscode.l10n.t('≈ {0} · {1} places', g.score.toFixed(3), g.members.length)}`,
      description: g.members.slice(0, 2).map((m) => m.path.split('/').pop()).join(' ↔ '),
      detail: g.members.map(where).join('  ·  '),
      group: g,
    })),
    {
      title: vscode.l10n.t('Near-duplicates (cosine ≥ {0})', threshold.toFixed(2)),
      placeHolder: groups.length ? vscode.l10n.t('Pick a group to open its first two places side by side') : vscode.l10n.t('No near-duplicates found.'),
      matchOnDetail: true,
    },
  );
  if (!pick) return;
  const [a, b] = pick.group.members.map((m) => {
    const ref = space.toRef(m.path);
    return ref ? { ...ref, startLine: m.startLine, endLine: m.endLine } : undefined;
  });
  if (a) await openRef(s.engines, a);
  const second = b && resolveRef(s.engines, b);
  if (b && second) {
    const selection = new vscode.Range(b.startLine - 1, 0, b.endLine - 1, 0);
    await vscode.commands.executeCommand('vscode.open', second, { viewColumn: vscode.ViewColumn.Beside, selection, preview: false });
  }
}

export function analysisCommands(s: Services): Command[] {
  return [
    ...topicCommands(s),
    { id: 'semanticWorkspace.classifySelection', execute: (arg?: unknown) => classifySelection(s, arg) },
    { id: 'semanticWorkspace.findOutliers', execute: () => findOutliers(s) },
    { id: 'semanticWorkspace.findDuplicates', execute: () => findDuplicates(s) },
  ];
}
