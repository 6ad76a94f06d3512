/**
 * What every MCP tool shares: answers with both a readable text and `structuredContent`, errors an
 * agent can act on (`isError: true`, the server keeps serving), progress notifications, and
 * "is the index there and fresh" before an answer.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { NoIndexError } from '../../core/engine';
import type { IndexProgress } from '../../core/engineTypes';
import type { McpFolder } from './folders';
import { ToolInputError } from './paths';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function answer(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

export function failure(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Runs a tool body; whatever it throws becomes an error result with an actionable message. */
export async function guarded(body: () => Promise<CallToolResult>, extra: Extra): Promise<CallToolResult> {
  try {
    return await body();
  } catch (e) {
    if (extra.signal.aborted) return failure('Cancelled. Nothing was lost: what was indexed before the cancel is kept.');
    if (e instanceof NoIndexError) return failure(`${e.message} Call the "reindex" tool to build it again.`);
    // ToolInputError and the embedders' errors are written to be shown as they are (never holding the key).
    return failure(e instanceof Error ? e.message : String(e));
  }
}

/** Sends MCP progress notifications for index progress when the caller asked for them (a progressToken). */
export function progressSender(extra: Extra, label: string): ((p: IndexProgress) => void) | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  let last = -1;
  let lastAt = 0;
  return (p) => {
    // One number that only moves forward: files scanned/chunked, then chunks embedded.
    const progress = p.filesDone + p.chunksDone;
    const total = p.filesTotal + p.chunksTotal;
    const now = Date.now();
    if (progress <= last || (now - lastAt < 100 && p.phase !== 'done')) return;
    last = progress;
    lastAt = now;
    const message = `${label}: ${p.phase} — files ${p.filesDone}/${p.filesTotal}, chunks ${p.chunksDone}/${p.chunksTotal}`;
    extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, total: total || undefined, message } }).catch(() => undefined);
  };
}

export function noIndexMessage(folder: McpFolder, dirForCli: string): string {
  return (
    `There is no ${folder.provider} index for "${folder.name}" yet, and this server does not build one with a cloud provider on its own. ` +
    `Call the "reindex" tool to build it (it embeds the folder's files with ${folder.provider}; the server was started with --provider ${folder.provider}, which is the consent), ` +
    `or run: semantic-workspace index ${JSON.stringify(dirForCli)} --provider ${folder.provider}`
  );
}

/**
 * Waits for a running build (forwarding its progress to this call), builds a missing offline
 * index, refuses a missing cloud index, then re-indexes what changed since the last answer.
 * Returns notes worth telling the agent (a failed update).
 */
export async function ready(folder: McpFolder, extra: Extra): Promise<string[]> {
  const send = progressSender(extra, `indexing ${folder.name}`);
  const unsubscribe = send ? folder.onProgress(send) : undefined;
  try {
    if (folder.building) await folder.idle();
    if (!(await folder.engine.status()).exists) {
      if (folder.provider !== 'offline') throw new ToolInputError(noIndexMessage(folder, folder.root));
      const report = await folder.index({ signal: extra.signal });
      if (!(await folder.engine.status()).exists) {
        throw new ToolInputError(`Building the index of "${folder.name}" failed${report.error ? `: ${report.error.message}` : ''}. Call "reindex" to try again.`);
      }
    }
    const { warning } = await folder.refresh(extra.signal);
    return warning ? [`The index could not be brought up to date (${warning}); results come from the last successful update.`] : [];
  } finally {
    unsubscribe?.();
  }
}

/** Caps a chunk's text for an answer ("…" marks the cut). */
export function capText(text: string | undefined, max = 2000): string | undefined {
  if (text === undefined) return undefined;
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
