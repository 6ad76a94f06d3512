/**
 * Offers the bundled `semantic-workspace mcp` (dist/cli.js) to every MCP-aware chat in VS Code,
 * one stdio server per workspace folder, on the extension's own index (`--index-dir`) with the
 * extension's indexing settings (so both update the same index the same way).
 *
 * A cloud provider is passed only when this workspace consented to it and it actually runs
 * (trusted workspace, key present); otherwise the server runs offline. The key and the endpoint go
 * through the environment, never the command line (argv is visible to every local process).
 * The server indexes only while answering, so an idle server never holds the index lock.
 */
import * as vscode from 'vscode';
import type { Services } from './services';
import { readSettings, type Settings } from './settings';

export const MCP_PROVIDER_ID = 'semanticWorkspace.mcp';

function providerArgs(settings: Settings): string[] {
  const r = settings.remote;
  const out = ['--provider', settings.provider];
  if (r.model) out.push('--model', r.model);
  if (r.dimensions) out.push('--dimensions', String(r.dimensions));
  if (settings.provider === 'dashscope') {
    if (r.region && !r.baseUrl) out.push('--region', r.region);
    if (r.transport) out.push('--transport', r.transport);
    if (r.sparse) out.push('--sparse');
  }
  if (r.concurrency) out.push('--concurrency', String(r.concurrency));
  if (r.requestsPerMinute) out.push('--rpm', String(r.requestsPerMinute));
  if (r.tokensPerMinute) out.push('--tpm', String(r.tokensPerMinute));
  if (r.timeoutMs) out.push('--timeout', String(r.timeoutMs / 1000));
  return out;
}

function indexingArgs(settings: Settings): string[] {
  const out: string[] = [];
  for (const g of settings.include) out.push('--include', g);
  for (const g of settings.exclude) out.push('--exclude', g);
  out.push('--max-file-size', String(settings.maxFileBytes), '--chunk-tokens', String(settings.chunkTokens));
  if (settings.tokenBudget) out.push('--token-budget', String(settings.tokenBudget));
  return out;
}

/** The stdio server for one folder, as VS Code will start it. */
export async function mcpDefinitionFor(s: Services, folder: vscode.WorkspaceFolder): Promise<vscode.McpStdioServerDefinition> {
  const settings = readSettings(folder.uri);
  const { provider } = await s.engines.effectiveProvider(settings);
  const cloud = provider !== 'offline' && s.consent.has(settings);
  // VS Code's own runtime runs the CLI: Electron behaves as plain Node with this variable.
  const env: Record<string, string> = { ELECTRON_RUN_AS_NODE: '1' };
  if (cloud) {
    const key = await s.keys.get(provider);
    if (key) env[provider === 'dashscope' ? 'DASHSCOPE_API_KEY' : 'OPENAI_API_KEY'] = key;
    if (settings.remote.baseUrl) env[provider === 'dashscope' ? 'DASHSCOPE_BASE_URL' : 'OPENAI_BASE_URL'] = settings.remote.baseUrl;
  }
  const args = [
    s.context.asAbsolutePath('dist/cli.js'), 'mcp', folder.uri.fsPath,
    '--index-dir', s.engines.indexDir(folder),
    ...(cloud ? providerArgs({ ...settings, provider }) : []),
    ...indexingArgs(settings),
  ];
  const label = s.engines.folders().length > 1 ? `Semantic Workspace (${folder.name})` : 'Semantic Workspace';
  const version = String(s.context.extension.packageJSON.version ?? '0');
  return new vscode.McpStdioServerDefinition(label, process.execPath, args, env, `${version}${cloud ? `-${provider}` : ''}`);
}

export function registerMcpProvider(s: Services): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition> = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => Promise.all(s.engines.folders().map((f) => mcpDefinitionFor(s, f))),
    // Just before start: consent may have been granted or revoked since the list was made.
    async resolveMcpServerDefinition(def) {
      const folder = s.engines.folders().find((f) => def.args.includes(f.uri.fsPath));
      return folder ? mcpDefinitionFor(s, folder) : def;
    },
  };
  const subs: vscode.Disposable[] = [
    changed,
    vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider),
    s.engines.onDidReset(() => changed.fire()),
    s.indexer.onDidIndex(() => changed.fire()),
  ];
  if (s.context.extensionMode === vscode.ExtensionMode.Test) {
    // For the extension-host suite: what the provider offers, with secrets left out.
    subs.push(vscode.commands.registerCommand('semanticWorkspace.test.mcpServerDefinitions', async () => {
      const defs = await provider.provideMcpServerDefinitions(new vscode.CancellationTokenSource().token);
      return (defs ?? []).map((d) => ({ label: d.label, command: d.command, args: d.args, envKeys: Object.keys(d.env), env: Object.fromEntries(Object.entries(d.env).filter(([k]) => !/KEY/.test(k))) }));
    }));
  }
  return vscode.Disposable.from(...subs);
}
