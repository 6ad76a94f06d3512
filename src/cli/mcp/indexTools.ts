/**
 * index_status and reindex. A reindex reports MCP progress notifications (when the call has a
 * progressToken) and stops on cancellation, keeping what was embedded (the indexer commits it).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { indexReportJson } from '../searchCommands';
import type { FolderStatus, McpFolder } from './folders';
import { type Workspace } from './paths';
import { coverageLines, coverageOut, incompleteLine, isUpToDate } from './coverage';
import { answer, guarded, progressSender } from './toolKit';

function statusLine(s: FolderStatus, out: (p: string) => string): string {
  if (!s.exists) {
    const next = s.building ? 'being built now' : s.provider === 'offline' ? 'built on the next question' : 'call "reindex" to build it';
    return `${s.folder}: no ${s.provider} index yet (${next})${s.lastError ? `; last error: ${s.lastError}` : ''}`;
  }
  // "up to date" only by the UI's rule: complete, no build running, nothing changed since.
  const state = isUpToDate(s) ? 'up to date'
    : s.coverage?.complete === false || s.complete === false ? 'INCOMPLETE'
    : s.building ? 'indexing now'
    : `${s.stale.length} changed file(s) re-indexed before the next answer: ${s.stale.slice(0, 10).map(out).join(', ')}`;
  const head = `${s.folder}: ${state} — ${s.files} files, ${s.chunks} chunks, ${s.label}, updated ${s.updatedAt ?? '?'}${s.building && state !== 'indexing now' ? ', indexing now' : ''}`;
  return [head, ...(s.coverage ? coverageLines(s.coverage, s.provider, out) : [])].join('\n');
}

export function registerIndexTools(server: McpServer, ws: Workspace): void {
  server.registerTool(
    'index_status',
    {
      title: 'State of the index',
      description:
        'What the index holds for each folder: files, chunks, provider and its fingerprint, last update; its coverage (files and chunks indexed of those discovered, ' +
        'what is missing per reason with the files, what is skipped by policy, when it was last complete); upToDate (complete, no build running, nothing changed since); ' +
        'whether a build is running, and which files changed since (they are re-indexed automatically before the next answer). Sends nothing anywhere.',
      inputSchema: {
        folder: z.string().optional().describe('With several folders: only this one (its name).'),
      },
    },
    (args, extra) =>
      guarded(async () => {
        const folders: readonly McpFolder[] = args.folder ? [ws.folder(args.folder)] : ws.folders;
        const statuses = await Promise.all(folders.map((f) => f.status()));
        const outOf = (s: FolderStatus) => (p: string) => (ws.multi ? `${s.folder}/${p}` : p);
        const json = statuses.map((s) => ({
          ...s,
          upToDate: isUpToDate(s),
          stale: s.stale.map(outOf(s)),
          ...(s.coverage ? { coverage: coverageOut(s.coverage, outOf(s)) } : {}),
        }));
        return answer(statuses.map((s) => statusLine(s, outOf(s))).join('\n'), { folders: json });
      }, extra),
  );

  server.registerTool(
    'reindex',
    {
      title: 'Build or update the index',
      description:
        'Brings the index up to date with the files (only what changed is re-embedded), or rebuilds it. Usually not needed: every tool re-indexes changed files before answering. ' +
        'Use it to build the first index with a cloud provider, after a failed or cancelled run, or with rebuild=true after changing ignore rules. ' +
        'Reports progress notifications and honours cancellation (what was embedded is kept). Returns the same report as `semantic-workspace index --json`.',
      inputSchema: {
        paths: z.array(z.string().min(1)).max(10_000).optional().describe('Only these workspace-relative files (new, changed or deleted ones). Default: the whole folder.'),
        rebuild: z.boolean().optional().describe('Throw the index away and build it from scratch.'),
        folder: z.string().optional().describe('With several folders: only this one (its name). Default: all.'),
      },
    },
    (args, extra) =>
      guarded(async () => {
        let targets: { folder: McpFolder; paths?: string[] }[];
        if (args.paths?.length) {
          const byFolder = new Map<McpFolder, string[]>();
          for (const p of args.paths) {
            const { folder, rel } = ws.resolve(p);
            byFolder.set(folder, [...(byFolder.get(folder) ?? []), rel]);
          }
          targets = [...byFolder].map(([folder, paths]) => ({ folder, paths }));
        } else {
          targets = (args.folder ? [ws.folder(args.folder)] : ws.folders).map((folder) => ({ folder }));
        }
        const reports: Record<string, unknown>[] = [];
        const lines: string[] = [];
        for (const { folder, paths } of targets) {
          const report = await folder.index({ paths, rebuild: args.rebuild, signal: extra.signal, onProgress: progressSender(extra, `indexing ${folder.name}`) });
          const json: Record<string, unknown> = { folder: folder.name, ...indexReportJson(report, { provider: folder.provider, indexDir: folder.engine.indexDir }) };
          if (report.error) json.error = report.error.message;
          reports.push(json);
          lines.push(
            `${folder.name}: ${report.filesIndexed} files, ${report.chunks} chunks; ${report.embeddedChunks} embedded, ${report.reusedChunks} reused, ${report.seconds.toFixed(1)} s` +
              (report.incomplete || report.coverage?.complete === false
                ? ` — ${report.coverage ? incompleteLine(report.coverage, folder.provider) : 'INCOMPLETE'}: call reindex again to resume (what was embedded is kept)` : '') + (report.error ? ` — ${report.error.message}` : ''),
            ...report.warnings.map((w) => `  ! ${w}`),
          );
          if (extra.signal.aborted) {
            lines.push('Cancelled; what was embedded before the cancel is kept.');
            break;
          }
        }
        return answer(lines.join('\n'), { reports, ...(extra.signal.aborted ? { cancelled: true } : {}) });
      }, extra),
  );
}
