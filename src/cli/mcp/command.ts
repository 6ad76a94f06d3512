/**
 * `semantic-workspace mcp [dir…]`: an MCP server over stdio for coding agents. stdout carries MCP
 * messages only — every log line goes to stderr (console.log included, in case a dependency
 * prints).
 *
 * No index yet: with the offline provider the server starts building it at once (nothing leaves
 * the machine) and tool calls wait for it, receiving its progress as MCP progress notifications;
 * with a cloud provider nothing is uploaded on its own — tools answer with an error naming the
 * `reindex` tool (and the CLI command). An existing index is brought up to date in the background
 * at start, then before each answer (see folders.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { openEngine } from '../../core/engine';
import type { EngineConfig } from '../../core/engineTypes';
import type { CliArgs } from '../args';
import type { Messages } from '../messages';
import { registerAnalysisTools } from './analysisTools';
import { folderNames, McpFolder } from './folders';
import { registerIndexTools } from './indexTools';
import { Workspace } from './paths';
import { registerSearchTools } from './searchTools';

export const MCP_SERVER_VERSION = '0.1.0';

type ConfigFor = (root: string, logger: EngineConfig['logger']) => EngineConfig;

const log = (s: string) => process.stderr.write(`[semantic-workspace mcp] ${s}\n`);
const logger = { info: log, warn: (s: string) => log(`warning: ${s}`), error: (s: string) => log(`error: ${s}`) };

export function createMcpServer(ws: Workspace): McpServer {
  const server = new McpServer(
    { name: 'semantic-workspace', version: MCP_SERVER_VERSION },
    {
      instructions:
        'Semantic + keyword search over this workspace\'s code and notes. Prefer `search` over grep when you do not know the exact identifier or wording, ' +
        'or when the question is about behaviour or a concept; queries may be in any language. Paths are workspace-relative; lines are 1-based and inclusive. ' +
        'The index is kept up to date automatically before every answer.',
    },
  );
  registerSearchTools(server, ws);
  registerAnalysisTools(server, ws);
  registerIndexTools(server, ws);
  return server;
}

/** Starts the first build (offline) or the catch-up update (existing index) of every folder. */
async function warmUp(folder: McpFolder): Promise<void> {
  const status = await folder.engine.status();
  if (status.exists) {
    await folder.refresh();
    log(`${folder.name}: index up to date (${status.files} files, ${status.label})`);
    return;
  }
  if (folder.provider !== 'offline') {
    log(`${folder.name}: no ${folder.provider} index yet; nothing is uploaded until a client calls "reindex"`);
    return;
  }
  log(`${folder.name}: no index yet; building it offline (nothing leaves this machine)`);
  let lastLog = 0;
  const report = await folder.index({
    onProgress: (p) => {
      if (Date.now() - lastLog < 2000 && p.phase !== 'done') return;
      lastLog = Date.now();
      log(`${folder.name}: ${p.phase} files ${p.filesDone}/${p.filesTotal} chunks ${p.chunksDone}/${p.chunksTotal}`);
    },
  });
  log(`${folder.name}: indexed ${report.filesIndexed} files into ${report.chunks} chunks in ${report.seconds.toFixed(1)} s`);
}

export async function runMcpCommand(args: CliArgs, m: Messages, configFor: ConfigFor): Promise<number> {
  const dirs = args.positionals.length ? args.positionals : ['.'];
  const roots: string[] = [];
  for (const d of dirs) {
    const root = path.resolve(d);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
      process.stderr.write(m.notADir(d) + '\n');
      return 2;
    }
    roots.push(root);
  }
  if (args.indexDir && roots.length > 1) {
    process.stderr.write('mcp: --index-dir names the index of one folder; serve several folders without it (each uses its default location) or start one server per folder.\n');
    return 2;
  }
  // Nothing but MCP may reach stdout.
  console.log = console.info = console.debug = (...a: unknown[]) => process.stderr.write(a.map(String).join(' ') + '\n');

  const names = folderNames(roots);
  const folders: McpFolder[] = [];
  for (const [i, root] of roots.entries()) {
    const config = configFor(root, logger);
    folders.push(new McpFolder(names[i], await openEngine(config), config.provider, config, log));
  }
  const ws = new Workspace(folders);
  const server = createMcpServer(ws);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await server.connect(transport);
  log(`serving ${folders.map((f) => `${f.name} (${f.root})`).join(', ')} with the ${args.provider} provider`);
  for (const f of folders) warmUp(f).catch((e) => log(`${f.name}: ${(e as Error).message}`));
  await closed;
  await server.close().catch(() => undefined);
  // Workers or a half-finished background read must not keep a closed server alive.
  setTimeout(() => process.exit(0), 200).unref();
  return 0;
}
