/** What the sidebar's messages do, once validated by the router. */
import * as vscode from 'vscode';
import type { FileRef, SidebarCommand } from '../../protocol/messages';
import { openRef, resolveRef } from '../open';
import type { Services } from '../services';
import { applyTags } from '../tagEdits';
import type { SidebarHandlers } from './router';

async function applyTagsTo(s: Services, target: FileRef, labels: readonly string[]): Promise<{ applied: number }> {
  const uri = resolveRef(s.engines, target);
  if (!uri) throw new Error(vscode.l10n.t('That file is not inside this workspace.'));
  // Markdown: frontmatter; other files: a comment above the classified selection, or the clipboard.
  return { applied: await applyTags(uri, labels, (target.startLine ?? 1) - 1) };
}

export function sidebarHandlers(s: Services): Omit<SidebarHandlers, 'ready'> {
  return {
    async search(query, filter, signal) {
      const started = Date.now();
      if (!(await s.consent.allowed())) throw new Error(vscode.l10n.t('Run "Index Workspace" first to agree to uploads for this workspace.'));
      if (!(await s.search.hasIndex())) throw new Error(vscode.l10n.t('This workspace has no semantic index yet. Run "Index Workspace".'));
      // The sidebar waits for the rerank (bounded by its budget); a failed one leaves a note.
      const { items, rerank } = await s.search.ranked(query, { filter, signal });
      return { query, items, tookMs: Date.now() - started, ...(rerank?.note ? { note: rerank.note } : {}) };
    },
    open: (ref, side) => openRef(s.engines, ref, side),
    applyTags: (target, labels) => applyTagsTo(s, target, labels),
    pinRelated: (ref, pinned) => void s.related.pin(ref, pinned),
    hideRelated: (ref) => void s.related.hide(ref),
    runCommand(command: SidebarCommand) {
      void vscode.commands.executeCommand(`semanticWorkspace.${command}`);
    },
    addTopicTag(topic, ref) {
      void vscode.commands.executeCommand('semanticWorkspace.addTopicTag', topic, ref);
    },
  };
}
