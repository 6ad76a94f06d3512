/**
 * Language-model tools for VS Code's agents (Copilot agent mode and any chat that uses
 * `vscode.lm.tools`): semantic search, related files and find-similar over the extension's own
 * index. They pass the same door as the palette — trust (an untrusted workspace runs offline),
 * consent for a cloud provider, an index — but never open a dialog: without consent the tool
 * answers with what the user has to do, and nothing is sent.
 */
import * as vscode from 'vscode';
import type { ResultItem } from '../protocol/messages';
import { coverageInfo, incompleteLine } from './coverageText';
import { degradedNote } from './degraded';
import { ensureRemoteAllowed } from './door';
import type { Services } from './services';
import { endpointOf, readSettings } from './settings';

export const AGENT_TOOLS = {
  search: 'semanticWorkspace_search',
  related: 'semanticWorkspace_related',
  findSimilar: 'semanticWorkspace_findSimilar',
} as const;

const MAX_TOP_K = 50;

/**
 * The door for agent calls (door.ts, never a dialog), with answers written for an agent; offline,
 * a missing index is built at once (that sends nothing anywhere).
 */
export async function agentDoor(s: Services, remoteAnswers = false): Promise<{ readonly ok: true } | { readonly ok: false; readonly message: string }> {
  const settings = readSettings();
  const verdict = await ensureRemoteAllowed(s.door, { purpose: 'agent', interactive: false, needsIndex: true, remoteAnswers });
  if (verdict.ok) return { ok: true };
  if (verdict.reason === 'noConsent') {
    return {
      ok: false,
      message: vscode.l10n.t(
        'Semantic Workspace has not been allowed to send this workspace to {0} ({1}) yet, so nothing was searched or sent. Ask the user to run "Semantic Workspace: Index Workspace" and agree to the upload, or to choose the offline provider.',
        settings.provider, endpointOf(settings),
      ),
    };
  }
  const { provider } = await s.engines.effectiveProvider(settings);
  if (provider !== 'offline') {
    return { ok: false, message: vscode.l10n.t('This workspace has no semantic index yet. Ask the user to run "Semantic Workspace: Index Workspace".') };
  }
  // Offline, building the index sends nothing anywhere: do it now (with the usual progress).
  await s.indexer.indexAll();
  return (await s.door.hasIndex()) ? { ok: true } : { ok: false, message: vscode.l10n.t('Indexing the workspace did not finish; see the Semantic Workspace log.') };
}

const text = (s: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(s)]);

/**
 * The note over results from an incomplete index, read from the coverage persisted with each
 * folder's index (the status bar's truth): an agent told nothing would take "no result" for
 * "not in the workspace" when the file was never embedded.
 */
export async function coverageNote(s: Services): Promise<string | undefined> {
  const all = [];
  for (const { engine } of await s.engines.all()) {
    const st = await engine.status();
    if (st.exists && st.coverage) all.push(st.coverage);
  }
  if (!all.length) return undefined;
  const provider = (await s.engines.effectiveProvider()).provider;
  const info = coverageInfo(all, provider);
  if (info.complete) return undefined;
  return `Note: the index is incomplete — ${incompleteLine(info)} (${info.chunksIndexed.toLocaleString()} of ${info.chunksTotal.toLocaleString()} chunks). ` +
    'Results may miss the rest, so do not conclude that something is absent; the user can resume with "Semantic Workspace: Index Workspace" (Resume in the status bar).';
}

async function withCoverage(s: Services, body: string): Promise<vscode.LanguageModelToolResult> {
  const note = await coverageNote(s);
  return text(note ? `${note}\n\n${body}` : body);
}

function where(s: Services, hit: { folder: string; folderName: string; path: string; startLine?: number; endLine?: number }): { label: string; link: string } {
  const multi = s.engines.folders().length > 1;
  const folder = s.engines.folderByKey(hit.folder);
  const uri = folder ? vscode.Uri.joinPath(folder.uri, ...hit.path.split('/')) : undefined;
  const lines = hit.startLine ? `:${hit.startLine}${hit.endLine && hit.endLine !== hit.startLine ? `-${hit.endLine}` : ''}` : '';
  const label = `${multi ? `${hit.folderName}/` : ''}${hit.path}${lines}`;
  return { label, link: uri ? `${uri.toString()}${hit.startLine ? `#L${hit.startLine}` : ''}` : label };
}

function hitsText(s: Services, title: string, hits: readonly ResultItem[]): string {
  if (!hits.length) return `${title}\nNo results. Try other words (any language works) or fewer filters.`;
  const out = [title];
  hits.forEach((h, i) => {
    const w = where(s, h);
    const why = [h.terms.length ? `terms: ${h.terms.join(', ')}` : '', h.vectorScore !== undefined ? `cosine ${h.vectorScore.toFixed(3)}` : ''].filter(Boolean).join('; ');
    out.push('', `${i + 1}. [${w.label}](${w.link})${h.symbol ? `  ${h.symbol}` : ''}  (${h.kind}, score ${h.score.toFixed(3)}${why ? `; ${why}` : ''})`);
    if (h.snippet) out.push('```' + h.language, h.snippet, '```');
  });
  return out.join('\n');
}

function clampTopK(k: unknown, fallback: number): number {
  const n = typeof k === 'number' && Number.isFinite(k) ? Math.floor(k) : fallback;
  return Math.min(MAX_TOP_K, Math.max(1, n));
}

/** A workspace file from an agent's path (relative to a folder, folder-prefixed, or absolute inside one). */
function fileOf(s: Services, p: string): vscode.Uri | undefined {
  const folders = s.engines.folders();
  const raw = p.trim().replace(/\\/g, '/');
  if (!raw || raw.split('/').includes('..')) return undefined;
  const candidates = raw.startsWith('/') || /^[a-z]:\//i.test(raw)
    ? [vscode.Uri.file(raw)]
    : [...folders.map((f) => vscode.Uri.joinPath(f.uri, raw)), ...folders.filter((f) => raw.startsWith(`${f.name}/`)).map((f) => vscode.Uri.joinPath(f.uri, raw.slice(f.name.length + 1)))];
  return candidates.find((u) => folders.some((f) => u.path.startsWith(f.uri.path.replace(/\/?$/, '/'))) && vscode.workspace.getWorkspaceFolder(u));
}

interface SearchInput { query?: string; topK?: number; kind?: 'code' | 'doc'; path?: string }
interface RelatedInput { path?: string }
interface SimilarInput { text?: string; topK?: number }

function cancelSignal(token: vscode.CancellationToken): AbortSignal {
  const ac = new AbortController();
  token.onCancellationRequested(() => ac.abort());
  return ac.signal;
}

export function registerAgentTools(s: Services): vscode.Disposable {
  const search: vscode.LanguageModelTool<SearchInput> = {
    prepareInvocation(options) {
      const scope = [options.input.kind, options.input.path].filter(Boolean).join(', ');
      return { invocationMessage: vscode.l10n.t('Semantic search of the workspace for "{0}"{1}', String(options.input.query ?? ''), scope ? ` (${scope})` : '') };
    },
    async invoke(options, token) {
      const query = String(options.input.query ?? '').trim();
      if (!query) return text('The query is empty: say what to look for, e.g. "where are API keys stored".');
      // A plain search: with remote search on, the team index answers it without a local index.
      const door = await agentDoor(s, true);
      if (!door.ok) return text(door.message);
      const { items: hits, degraded } = await s.search.searchWithNote(query, {
        topK: clampTopK(options.input.topK, 10),
        filter: { kind: options.input.kind ?? 'all', glob: options.input.path ?? '', language: '' },
        signal: cancelSignal(token),
      });
      return withCoverage(s, hitsText(s, `${degraded ? `${degradedNote(degraded)}
` : ''}Results for "${query}":`, hits));
    },
  };

  const related: vscode.LanguageModelTool<RelatedInput> = {
    prepareInvocation(options) {
      return { invocationMessage: vscode.l10n.t('Finding files related to {0}', String(options.input.path ?? '')) };
    },
    async invoke(options) {
      const uri = fileOf(s, String(options.input.path ?? ''));
      if (!uri) return text(`"${options.input.path ?? ''}" is not a file inside the workspace. Give a workspace-relative path such as "src/main.ts".`);
      const door = await agentDoor(s);
      if (!door.ok) return text(door.message);
      const view = await s.related.compute(uri);
      const items = view.items;
      if (!items.length) return withCoverage(s, `No related files for ${options.input.path} (is it indexed?).`);
      const lines = [`Files related to ${options.input.path}:`];
      for (const it of items) {
        const w = where(s, { folder: it.ref.folder, folderName: s.engines.folderByKey(it.ref.folder)?.name ?? '', path: it.ref.path });
        lines.push(`- [${w.label}](${w.link})  score ${it.score.toFixed(3)}${it.kind ? `  (${it.kind})` : ''}`);
      }
      return withCoverage(s, lines.join('\n'));
    },
  };

  const findSimilar: vscode.LanguageModelTool<SimilarInput> = {
    prepareInvocation(options) {
      const t = String(options.input.text ?? '');
      return { invocationMessage: vscode.l10n.t('Finding workspace code and notes similar to: {0}', t.length > 80 ? `${t.slice(0, 79)}…` : t) };
    },
    async invoke(options, token) {
      const passage = String(options.input.text ?? '').trim();
      if (!passage) return text('Give the passage (code or text) to match in "text".');
      const door = await agentDoor(s);
      if (!door.ok) return text(door.message);
      const hits = await s.search.search(passage.slice(0, 8000), { topK: clampTopK(options.input.topK, 10), task: 'similarity', signal: cancelSignal(token) });
      return withCoverage(s, hitsText(s, 'Similar passages:', hits));
    },
  };

  return vscode.Disposable.from(
    vscode.lm.registerTool(AGENT_TOOLS.search, search),
    vscode.lm.registerTool(AGENT_TOOLS.related, related),
    vscode.lm.registerTool(AGENT_TOOLS.findSimilar, findSimilar),
  );
}
