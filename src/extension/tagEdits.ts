/**
 * Writing tags into files. Markdown: the frontmatter `tags:` via the core's `addTagsToFrontmatter`
 * (surgical: every other byte is kept, so replacing the whole document text with its result is one
 * safe, undoable edit). Other files: a `commentTagLine` above the selection, or the clipboard.
 * Topic tags go to many notes at once, so they are previewed first as a diff (`vscode.diff` of the
 * file against the edited text served from a read-only virtual document).
 */
import * as vscode from 'vscode';
import { addTagsToFrontmatter, commentTagLine, FrontmatterEditError } from '../core/analysis';

export const PREVIEW_SCHEME = 'semantic-workspace-preview';

/** Serves the edited texts the diff previews show; entries go when their diff is closed. */
export class PreviewDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private seq = 0;
  private readonly registration: vscode.Disposable;
  private readonly closing: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this);
    this.closing = vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === PREVIEW_SCHEME) this.texts.delete(d.uri.toString());
    });
  }

  /** A URI whose content is `text`; the file name is kept so the diff gets the right language. */
  put(original: vscode.Uri, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: original.path, query: `v=${++this.seq}` });
    this.texts.set(uri.toString(), text);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.registration.dispose();
    this.closing.dispose();
    this.texts.clear();
  }
}

export function isMarkdown(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'markdown' || /\.(md|markdown|mdx)$/i.test(doc.uri.path);
}

/** The note's text with `tags` added to its frontmatter; a readable error when the YAML is broken. */
export function taggedMarkdown(text: string, tags: readonly string[]): { text: string } | { error: string } {
  try {
    return { text: addTagsToFrontmatter(text, tags) };
  } catch (e) {
    if (e instanceof FrontmatterEditError) return { error: vscode.l10n.t('The frontmatter could not be edited safely: {0}', e.message) };
    throw e;
  }
}

async function replaceAll(doc: vscode.TextDocument, text: string): Promise<boolean> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  return vscode.workspace.applyEdit(edit);
}

/** Adds `tags` to a Markdown note's frontmatter. Returns how many tags were new (0 = unchanged). */
export async function addTagsToNote(doc: vscode.TextDocument, tags: readonly string[]): Promise<number> {
  const before = doc.getText();
  const r = taggedMarkdown(before, tags);
  if ('error' in r) throw new Error(r.error);
  if (r.text === before) return 0;
  // One undoable edit; the document is left dirty for the user to review and save.
  if (!(await replaceAll(doc, r.text))) throw new Error(vscode.l10n.t('Could not edit the file.'));
  return tags.length;
}

/**
 * Tags for a non-Markdown file: asks whether to insert a comment line above `line` (0-based, the
 * selection's first line, indented like it) or to copy the tags. Returns the number inserted.
 */
export async function addTagsToCode(doc: vscode.TextDocument, line: number, tags: readonly string[]): Promise<number> {
  const comment = commentTagLine(doc.languageId, tags);
  const insert = { label: `$(insert) ${vscode.l10n.t('Insert a Comment Above the Selection')}`, detail: comment, id: 'insert' };
  const copy = { label: `$(copy) ${vscode.l10n.t('Copy Tags to the Clipboard')}`, detail: tags.join(', '), id: 'copy' };
  const pick = await vscode.window.showQuickPick([insert, copy], { title: vscode.l10n.t('Apply Tags'), placeHolder: vscode.l10n.t('This is not a Markdown note: where should the tags go?') });
  if (!pick) return 0;
  if (pick.id === 'copy') {
    await vscode.env.clipboard.writeText(tags.join(', '));
    void vscode.window.showInformationMessage(vscode.l10n.t('Tags copied to the clipboard.'));
    return 0;
  }
  const at = Math.max(0, Math.min(line, doc.lineCount - 1));
  const indent = /^\s*/.exec(doc.lineAt(at).text)?.[0] ?? '';
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, new vscode.Position(at, 0), `${indent}${comment}${eol}`);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(vscode.l10n.t('Could not edit the file.'));
  return tags.length;
}

/** Applies tags to a file: frontmatter for Markdown, comment or clipboard (asked) for the rest. */
export async function applyTags(uri: vscode.Uri, tags: readonly string[], selectionLine: number): Promise<number> {
  if (tags.length === 0) return 0;
  const doc = await vscode.workspace.openTextDocument(uri);
  return isMarkdown(doc) ? addTagsToNote(doc, tags) : addTagsToCode(doc, selectionLine, tags);
}

async function closePreview(preview: vscode.Uri): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === preview.toString()) await vscode.window.tabGroups.close(tab);
    }
  }
}

/**
 * Adds `tag` to each note's frontmatter after a diff preview per note: Apply, Apply to All
 * Remaining, Skip; closing the prompt stops. Returns the number of notes changed.
 */
export async function previewAndTagNotes(previews: PreviewDocuments, notes: readonly { uri: vscode.Uri; title: string }[], tag: string): Promise<number> {
  let changed = 0;
  let all = false;
  for (const [i, note] of notes.entries()) {
    const doc = await vscode.workspace.openTextDocument(note.uri);
    const before = doc.getText();
    const r = taggedMarkdown(before, [tag]);
    if ('error' in r) {
      void vscode.window.showWarningMessage(`${note.title}: ${r.error}`);
      continue;
    }
    if (r.text === before) continue; // already tagged
    if (!all) {
      const preview = previews.put(note.uri, r.text);
      await vscode.commands.executeCommand('vscode.diff', note.uri, preview, vscode.l10n.t('{0} ↔ with tag "{1}" (preview)', note.title, tag), { preview: true });
      const apply = vscode.l10n.t('Apply');
      const applyAll = vscode.l10n.t('Apply to All Remaining');
      const skip = vscode.l10n.t('Skip');
      const buttons = notes.length - i > 1 ? [apply, applyAll, skip] : [apply, skip];
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t('Add the tag "{0}" to {1}? ({2} of {3})', tag, note.title, i + 1, notes.length),
        ...buttons,
      );
      await closePreview(preview);
      if (choice === undefined) break;
      if (choice === skip) continue;
      all = choice === applyAll;
    }
    if (await replaceAll(doc, r.text)) changed++;
  }
  return changed;
}
