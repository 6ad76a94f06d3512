/**
 * Agents in VS Code: the three language-model tools (vscode.lm.tools / vscode.lm.invokeTool) over
 * the extension's index, their consent door with a cloud provider (nothing sent without consent),
 * and the MCP server definition the extension offers: its stdio command starts and lists tools.
 */
import * as assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as vscode from 'vscode';
import { api, requests, requireFakeServer, setSetting, within } from './helpers';

const TOOLS = ['semanticWorkspace_search', 'semanticWorkspace_related', 'semanticWorkspace_findSimilar'];

async function invoke(name: string, input: object): Promise<string> {
  const source = new vscode.CancellationTokenSource();
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, source.token);
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('\n');
}

interface McpDef { label: string; command: string; args: string[]; envKeys: string[]; env: Record<string, string> }

export function registerAgentTests(): void {
  suite('Agents: language-model tools and the MCP server definition', () => {
    suiteSetup(async function () {
      this.timeout(120_000);
      const a = await api();
      await a.indexAll();
    });

    test('the three tools are registered in vscode.lm.tools', () => {
      const names = vscode.lm.tools.map((t) => t.name);
      for (const t of TOOLS) assert.ok(names.includes(t), `${t} missing from vscode.lm.tools (${names.filter((n) => n.startsWith('semantic')).join(', ')})`);
      const search = vscode.lm.tools.find((t) => t.name === 'semanticWorkspace_search')!;
      assert.match(search.description, /grep/, 'the model description says when it beats grep');
      assert.deepEqual((search.inputSchema as { required?: string[] }).required, ['query']);
    });

    test('invokeTool(search) returns hits with file:line links for a planted query', async () => {
      const text = await invoke('semanticWorkspace_search', { query: 'take the oldest message waiting up to timeout', topK: 5 });
      assert.match(text, /\[src\/mailbox\.py:\d+(-\d+)?\]\(file:\/\/[^)]*mailbox\.py#L\d+\)/, text);
      // A complete index: no coverage note (an incomplete one starts with "Note: the index is incomplete").
      assert.doesNotMatch(text, /index is incomplete/, text);
    });

    test('invokeTool(related) and (findSimilar) answer with workspace files', async () => {
      const related = await invoke('semanticWorkspace_related', { path: 'notes/compost.md' });
      assert.match(related, /Files related to notes\/compost\.md/, related);
      assert.match(related, /\]\(file:\/\//);
      const similar = await invoke('semanticWorkspace_findSimilar', { text: 'class TokenBucket: take a token before each request, refill over time' });
      assert.match(similar, /src\/rateLimiter\.ts/, similar);
      const outside = await invoke('semanticWorkspace_related', { path: '../../etc/passwd' });
      assert.match(outside, /not a file inside the workspace/);
    });

    test('with a cloud provider and no consent, the tool answers with the consent message and sends nothing', async function () {
      this.timeout(60_000);
      requireFakeServer();
      await setSetting('provider', 'dashscope');
      try {
        await vscode.commands.executeCommand('semanticWorkspace.revokeConsent');
        const a = await api();
        assert.equal(a.hasConsent(), false);
        const before = requests().length;
        const text = await within(invoke('semanticWorkspace_search', { query: 'rate limiter token bucket' }), 30_000, 'search tool without consent');
        assert.match(text, /has not been allowed to send this workspace to dashscope/, text);
        assert.equal(requests().length, before, 'a request reached the fake DashScope server');
        const defs = (await vscode.commands.executeCommand<McpDef[]>('semanticWorkspace.test.mcpServerDefinitions'))!;
        assert.ok(!defs[0]!.args.includes('dashscope'), `no consent: the MCP server must run offline (${defs[0]!.args.join(' ')})`);
        assert.ok(!defs[0]!.envKeys.some((k) => /KEY/.test(k)), 'no key handed to the MCP server without consent');
      } finally {
        await setSetting('provider', undefined);
      }
    });

    test('the MCP definition provider offers a stdio server that starts and answers tools/list', async function () {
      this.timeout(90_000);
      const defs = (await vscode.commands.executeCommand<McpDef[]>('semanticWorkspace.test.mcpServerDefinitions'))!;
      assert.equal(defs.length, 1);
      const def = defs[0]!;
      assert.ok(def.args.includes('mcp') && def.args.includes('--index-dir'), def.args.join(' '));
      assert.ok(!def.args.some((x) => /^sk-/.test(x)), 'no key on the command line');
      const transport = new StdioClientTransport({ command: def.command, args: def.args, env: { ...(process.env as Record<string, string>), ...def.env }, stderr: 'ignore' });
      const client = new Client({ name: 'ext-host-test', version: '1.0.0' });
      await client.connect(transport);
      try {
        const { tools } = await client.listTools();
        assert.ok(tools.some((t) => t.name === 'search') && tools.some((t) => t.name === 'reindex'), tools.map((t) => t.name).join(','));
        const r = await client.callTool({ name: 'search', arguments: { query: 'take the oldest message waiting up to timeout', topK: 3 } }, undefined, { timeout: 60_000 });
        const results = (r.structuredContent as { results: { path: string }[] }).results;
        assert.ok(results.some((h) => h.path === 'src/mailbox.py'), JSON.stringify(results.map((h) => h.path)));
      } finally {
        await client.close();
      }
    });
  });
}
