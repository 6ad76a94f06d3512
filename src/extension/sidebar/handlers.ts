/** What the sidebar's messages do, once validated by the router. */
import * as vscode from 'vscode';
import type { FileRef, SidebarCommand } from '../../protocol/messages';
import { mergeFrontMatterTags } from '../frontMatter';
import { openRef, resolveRef } from '../open';
import type { Services } from '../services';
import type { SidebarHandlers } from './router';

async function applyTags(s: Services, target: FileRef, labels: readonly string[]): Promise<{ applied: number }> {
  const uri = resolveRef(s.engines, target);
  if (!uri) throw new Error(vscode.l10n.t('That file is not inside this workspace.'));
  if (labels.length === 0) return { applied: 0 };
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== 'markdown') {
    // Code files have no standard place for tags: hand them over rather than invent a syntax.
    await vscode.env.clipboard.writeText(labels.join(', '));
    void vscode.window.showInformationMessage(vscode.l10n.t('Tags are written to Markdown front matter only; they were copied to the clipboard.'));
    return { applied: 0 };
  }
  const text = doc.getText();
  const next = mergeFrontMatterTags(text, labels);
  if (next === text) return { applied: 0 };
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(text.length)), next);
  // One undoable edit; the document is left dirty for the user to review and save.
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(vscode.l10n.t('Could not edit the file.'));
  return { applied: labels.length };
}

export function sidebarHandlers(s: Services): Omit<SidebarHandlers, 'ready'> {
  return {
    async search(query, filter, signal) {
      const started = Date.now();
      if (!(await s.consent.allowed())) throw new Error(vscode.l10n.t('Run "Index Workspace" first to agree to uploads for this workspace.'));
      if (!(await s.search.hasIndex())) throw new Error(vscode.l10n.t('This workspace has no semantic index yet. Run "Index Workspace".'));
      const items = await s.search.search(query, { filter, signal });
      return { query, items, tookMs: Date.now() - started };
    },
    open: (ref, side) => openRef(s.engines, ref, side),
    applyTags: (target, labels) => applyTags(s, target, labels),
    pinRelated: (ref, pinned) => void s.related.pin(ref, pinned),
    hideRelated: (ref) => void s.related.hide(ref),
    runCommand(command: SidebarCommand) {
      void vscode.commands.executeCommand(`semanticWorkspace.${command}`);
    },
  };
}
