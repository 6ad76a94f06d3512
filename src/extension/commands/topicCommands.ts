/**
 * Cluster Notes, Export Topic Report and Add Topic as Tag. Clustering results go to the sidebar's
 * Topics section; the report and the tagging work on the last clustering (running one if needed).
 */
import * as vscode from 'vscode';
import type { FileRef, TopicsView, TopicView } from '../../protocol/messages';
import { resolveRef } from '../open';
import type { Command, Services } from '../services';
import { previewAndTagNotes } from '../tagEdits';
import { renderTopicReport, topicTagName, type ReportStrings } from '../topicReport';
import { withAnalysis } from './analysisFrame';

/** Clusters the notes and shows the topics in the sidebar (no UI beyond that: the test API uses it). */
export async function computeTopics(s: Services, signal?: AbortSignal): Promise<TopicsView> {
  const { view } = await s.analysis.cluster(signal);
  s.sidebar.showTopics(view);
  return view;
}

async function clusterNotes(s: Services): Promise<TopicsView | undefined> {
  const view = await withAnalysis(s, vscode.l10n.t('Clustering notes into topics…'), (signal) => computeTopics(s, signal));
  if (!view) return undefined;
  if (view.topics.length === 0) void vscode.window.showInformationMessage(vscode.l10n.t('Not enough indexed notes to find topics.'));
  await s.sidebar.reveal();
  return view;
}

/** The last clustering, or a fresh one when there is none yet. */
async function currentTopics(s: Services): Promise<TopicsView | undefined> {
  return s.analysis.clustering?.view ?? clusterNotes(s);
}

export function reportStrings(): ReportStrings {
  const t = vscode.l10n.t;
  return {
    title: t('Topics of {0}'),
    summary: t('{0} topics over {1} notes.'),
    offlineNote: t('Offline provider: topics come from vectors trained on this workspace (keyword + LSA), not from a language model.'),
    keywords: t('Keywords'),
    representative: t('Representative note'),
    notes: t('{0} notes'),
    note: t('Note'),
    outliers: t('Outliers'),
    outliersNote: t('Notes that fit no topic (lowest similarity to their nearest topic first).'),
    nearest: t('nearest topic'),
    score: t('similarity'),
  };
}

/** The Markdown report of the current topics (also what the test API returns). */
export async function topicReportText(s: Services): Promise<string | undefined> {
  const view = await currentTopics(s);
  if (!view) return undefined;
  const workspace = vscode.workspace.name ?? s.engines.folders()[0]?.name ?? '';
  return renderTopicReport(view, workspace, reportStrings());
}

async function exportTopicReport(s: Services): Promise<void> {
  const text = await topicReportText(s);
  if (text === undefined) return;
  const untitled = { label: `$(new-file) ${vscode.l10n.t('Open as an Untitled Document')}`, id: 'open' };
  const save = { label: `$(save) ${vscode.l10n.t('Save to a File…')}`, id: 'save' };
  const pick = await vscode.window.showQuickPick([untitled, save], { title: vscode.l10n.t('Export Topic Report') });
  if (!pick) return;
  if (pick.id === 'open') {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
    await vscode.window.showTextDocument(doc);
    return;
  }
  const folder = s.engines.folders()[0];
  const target = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Export Topic Report'),
    defaultUri: folder ? vscode.Uri.joinPath(folder.uri, 'topics.md') : undefined,
    filters: { Markdown: ['md'] },
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  const open = vscode.l10n.t('Open');
  if ((await vscode.window.showInformationMessage(vscode.l10n.t('Topic report saved to {0}.', vscode.workspace.asRelativePath(target)), open)) === open) {
    await vscode.window.showTextDocument(target);
  }
}

const isMarkdownPath = (p: string): boolean => /\.(md|markdown|mdx)$/i.test(p);

async function pickTopic(view: TopicsView): Promise<TopicView | undefined> {
  const pick = await vscode.window.showQuickPick(
    view.topics.map((t) => ({ label: t.name, description: vscode.l10n.t('{0} notes', t.size), detail: t.terms.join(', '), topic: t })),
    { title: vscode.l10n.t('Add Topic as Tag'), placeHolder: vscode.l10n.t('Which topic?') },
  );
  return pick?.topic;
}

/**
 * Adds a topic's name to notes' frontmatter tags: one note (`ref`, from the sidebar) or members the
 * user opts in (all pre-selected), each previewed as a diff before anything is written.
 */
async function addTopicTag(s: Services, topicId?: unknown, ref?: unknown): Promise<number> {
  const view = await currentTopics(s);
  if (!view || view.topics.length === 0) return 0;
  const topic = typeof topicId === 'number' ? view.topics.find((t) => t.id === topicId) : await pickTopic(view);
  if (!topic) return 0;
  const tag = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add Topic as Tag'),
    prompt: vscode.l10n.t('Tag to add to the frontmatter of the topic\'s notes (topic: {0})', topic.name),
    value: topicTagName(topic.name),
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('The tag cannot be empty.')),
  });
  if (!tag?.trim()) return 0;
  const one = ref && typeof ref === 'object' ? (ref as FileRef) : undefined;
  let members = topic.members.filter((m) => (one ? m.folder === one.folder && m.path === one.path : true));
  const skipped = members.filter((m) => !isMarkdownPath(m.path)).length;
  members = members.filter((m) => isMarkdownPath(m.path));
  if (skipped) void vscode.window.showInformationMessage(vscode.l10n.t('{0} notes are not Markdown and cannot take frontmatter tags; they were left out.', skipped));
  if (!one && members.length > 1) {
    const picks = await vscode.window.showQuickPick(
      members.map((m) => ({ label: m.title, description: m.score.toFixed(3), picked: true, member: m })),
      { title: vscode.l10n.t('Add "{0}" to which notes?', tag.trim()), canPickMany: true, placeHolder: vscode.l10n.t('Each note is previewed as a diff before it is changed.') },
    );
    if (!picks) return 0;
    members = picks.map((p) => p.member);
  }
  const notes = members.flatMap((m) => {
    const uri = resolveRef(s.engines, m);
    return uri ? [{ uri, title: m.title }] : [];
  });
  const changed = await previewAndTagNotes(s.previews, notes, tag.trim());
  if (changed) void vscode.window.showInformationMessage(vscode.l10n.t('Tag "{0}" added to {1} notes (unsaved: review and save them).', tag.trim(), changed));
  return changed;
}

export function topicCommands(s: Services): Command[] {
  return [
    { id: 'semanticWorkspace.clusterNotes', execute: () => clusterNotes(s) },
    { id: 'semanticWorkspace.exportTopicReport', execute: () => exportTopicReport(s) },
    { id: 'semanticWorkspace.addTopicTag', execute: (topic?: unknown, ref?: unknown) => addTopicTag(s, topic, ref) },
  ];
}
