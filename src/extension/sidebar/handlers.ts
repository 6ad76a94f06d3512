/** What the sidebar's messages do, once validated by the router. */
import * as vscode from 'vscode';
import type { FileRef, SidebarCommand } from '../../protocol/messages';
import { openRef, resolveRef } from '../open';
import { degradedNote, reportDegraded, wantsKey } from '../degraded';
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
      const door = await s.door.check({ purpose: 'sidebar-search', interactive: false, needsIndex: true, remoteAnswers: true });
      // While the first index is built, "search works once it is complete" is news, not a failure.
      if (!door.ok && door.building) return { query, items: [], tookMs: Date.now() - started, note: door.message, waiting: true };
      if (!door.ok) throw new Error(door.message);
      // The sidebar waits for the rerank (bounded by its budget); a failed one leaves a note.
      const { items, degraded, rerank } = await s.search.ranked(query, { filter, signal });
      reportDegraded(s.status, degraded);
      const note = degraded ? { note: degradedNote(degraded), ...(wantsKey(degraded) ? { noteAction: 'setApiKey' as const } : {}) } : rerank?.note ? { note: rerank.note } : {};
      return { query, items, tookMs: Date.now() - started, ...note };
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
