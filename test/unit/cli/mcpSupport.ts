/** Helpers of the MCP tests: the SDK's own client spawning the bundled CLI's `mcp` over stdio. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import os from 'node:os';
import { cliPath, tempDir } from './support';

export interface McpSession {
  readonly client: Client;
  /** Everything the server wrote to stderr so far (its logs). */
  stderr(): string;
  call(name: string, args: Record<string, unknown>, options?: { onprogress?: (p: { progress: number; total?: number; message?: string }) => void; signal?: AbortSignal }): Promise<CallToolResult>;
  close(): Promise<void>;
}

export async function startMcp(args: readonly string[], env: Record<string, string> = {}, command: { cmd: string; args: readonly string[] } = { cmd: process.execPath, args: [cliPath] }): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: command.cmd,
    args: [...command.args, 'mcp', ...args],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), XDG_CACHE_HOME: tempDir('sw-mcp-cache-'), LANG: 'C', ...env },
    cwd: tempDir('sw-mcp-cwd-'),
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: 'semantic-workspace-test', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => err,
    async call(name, a, options = {}) {
      return (await client.callTool({ name, arguments: a }, undefined, { timeout: 180_000, resetTimeoutOnProgress: true, ...options })) as CallToolResult;
    },
    close: () => client.close(),
  };
}

export function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The search hits as the CLI prints them (the MCP answer adds the chunk text). */
export function withoutText(results: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return results.map(({ text: _text, ...rest }) => rest);
}
