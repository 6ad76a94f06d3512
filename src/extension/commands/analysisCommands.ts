/**
 * Classify Selection, Find Outliers and Find Duplicates over the analysis core (see ../analysis.ts).
 * Tags go to the sidebar's Tags section (revealed); outliers and duplicates go to QuickPicks.
 */
import * as vscode from 'vscode';
import type { Classification, DuplicatePair } from '../../core/analysis';
import type { FileRef, TagsView } from '../../protocol/messages';
import { countSources, type SourcedLabel } from '../labelSources';
import { openRef, refOf } from '../open';
import type { Command, Services } from '../services';
import { withAnalysis } from './analysisFrame';
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

/**
 * One flow wherever it starts (editor context menu, palette, the sidebar's button): the scores go
 * to the sidebar's Tags section — every label with its score and confidence, checkboxes and Apply
 * — which is revealed. (A QuickPick over the editor used to show the same table a second time.)
 */
async function classifySelection(s: Services): Promise<TagsView | undefined> {
  const editor = vscode.window.activeTextEditor;
  const sel = editor?.selection;
  const text = editor && sel ? editor.document.getText(sel).trim() : '';
  if (!editor || !sel || !text || !refOf(s.engines, editor.document.uri)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Select text in a file of this workspace first.'));
    return undefined;
  }
  const uri = editor.document.uri;
  const view = await withAnalysis(s, vscode.l10n.t('Classifying the selection…'), () => classifyInFile(s, uri, text, sel.start.line + 1, sel.end.line + 1));
  if (view) await s.sidebar.reveal();
  return view;
}

async function findOutliers(s: Services): Promise<void> {
  const found = await withAnalysis(s, vscode.l10n.t('Looking for outliers…'), (signal) => s.analysis.outliers(signal));
  if (!found) return;
  // Notes were clustered for this: the Topics section shows the same outliers.
  if (found.clustered) s.sidebar.showTopics(found.clustered.view);
  const multiRoot = s.engines.folders().length > 1;
  const entries = found.entries;
  const pick = await vscode.window.showQuickPick(
    entries.map((o) => ({
      label: `$(circle-slash) ${o.path}`,
      description: vscode.l10n.t('score {0}', o.score.toFixed(3)),
      detail: o.topicOutlier ? (o.reference ? vscode.l10n.t('A note that fits no topic; nearest topic: {0}', o.reference) : vscode.l10n.t('A note that fits no topic'))
        : o.group === 'folder' ? vscode.l10n.t('Compared with its folder: {0}', multiRoot || o.reference !== '.' ? o.reference : vscode.l10n.t('(root)'))
        : vscode.l10n.t('Compared with the whole workspace'),
      ref: { folder: o.folder, path: o.relPath },
    })),
    {
      title: vscode.l10n.t('Outliers: notes that fit no topic (as in Topics), then files unlike their folder'),
      placeHolder: entries.length ? vscode.l10n.t('Pick a file to open it') : vscode.l10n.t('No outliers found.'),
      matchOnDetail: true,
    },
  );
  if (pick) await openRef(s.engines, pick.ref);
}

async function findDuplicates(s: Services): Promise<void> {
  const found = await withAnalysis(s, vscode.l10n.t('Looking for near-duplicate files…'), (signal) => s.analysis.duplicates(signal));
  if (!found) return;
  const { space, results } = found;
  const pairs = results.flatMap((r) => r.pairs).sort((a, b) => b.share - a.share || b.score - a.score);
  const name = (p: string) => p.split('/').pop() ?? p;
  const pick = await vscode.window.showQuickPick(
    pairs.map((p) => ({
      label: `$(${p.kind === 'doc' ? 'notebook' : 'code'}) ${name(p.a)} ↔ ${name(p.b)}`,
      description: vscode.l10n.t('{0}% matching · similarity {1}', Math.round(p.share * 100), p.score.toFixed(3)),
      detail: `${p.a}  ·  ${p.b}`,
      pair: p,
    })),
    {
      title: vscode.l10n.t('Near-duplicate files ({0})', pairs.length),
      placeHolder: pairs.length ? vscode.l10n.t('Pick a pair to open both files side by side') : vscode.l10n.t('No near-duplicate files found.'),
      matchOnDescription: true,
      matchOnDetail: true,
    },
  );
  if (pick) await openPair(s, space, pick.pair);
}

/** Both files side by side, at their best matching place (notes copied whole: at the top). */
async function openPair(s: Services, space: { toRef(p: string): FileRef | undefined }, pair: DuplicatePair): Promise<void> {
  const place = pair.places[0];
  const a = space.toRef(pair.a);
  const b = space.toRef(pair.b);
  if (a) await openRef(s.engines, place ? { ...a, ...place.a } : a);
  if (b) await openRef(s.engines, place ? { ...b, ...place.b } : b, true);
}

export function analysisCommands(s: Services): Command[] {
  return [
    ...topicCommands(s),
    { id: 'semanticWorkspace.classifySelection', execute: () => classifySelection(s) },
    { id: 'semanticWorkspace.findOutliers', execute: () => findOutliers(s) },
    { id: 'semanticWorkspace.findDuplicates', execute: () => findDuplicates(s) },
  ];
}
