/**
 * Activation, the contributed surface (commands, views, settings) and reaction to settings.
 * The ids below are the product's fixed public surface: menus, keybindings, docs and the UI suite
 * refer to them, so a rename must fail here.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, extension, SECTION, setSetting, waitFor } from './helpers';

export const FIXED_COMMANDS = [
  'search', 'searchSelection', 'indexWorkspace', 'rebuildIndex', 'clearIndex', 'estimateCost', 'setApiKey',
  'clearApiKey', 'chooseProvider', 'showLog', 'revokeConsent', 'clusterNotes', 'classifySelection',
  'findOutliers', 'findDuplicates', 'focusSidebar',
].map((c) => `semanticWorkspace.${c}`);

interface Contributes {
  commands?: { command: string; title: string }[];
  viewsContainers?: { activitybar?: { id: string; title: string }[] };
  views?: Record<string, { id: string; type?: string }[]>;
  configuration?: { properties?: Record<string, { default?: unknown; enum?: unknown[] }> } | { properties?: Record<string, unknown> }[];
  menus?: Record<string, { command: string; when?: string }[]>;
}

const contributes = (): Contributes => (extension().packageJSON as { contributes?: Contributes }).contributes ?? {};

export function registerActivationTests(): void {
  suite('activation and contributions', () => {
    test('the extension activates and returns its test API', async () => {
      const a = await api();
      assert.ok(extension().isActive);
      const s = a.lastStatus();
      assert.ok(['noIndex', 'indexing', 'ready', 'error'].includes(s.state), `unexpected status ${JSON.stringify(s)}`);
    });

    test('every contributed command is registered, and the fixed ids are all contributed', async () => {
      await api();
      const contributed = (contributes().commands ?? []).map((c) => c.command);
      assert.ok(contributed.length > 0, 'package.json contributes no commands');
      const registered = new Set(await vscode.commands.getCommands(true));
      const unregistered = contributed.filter((c) => !registered.has(c));
      assert.deepEqual(unregistered, [], `contributed but not registered: ${unregistered.join(', ')}`);
      const missing = FIXED_COMMANDS.filter((c) => !contributed.includes(c));
      assert.deepEqual(missing, [], `fixed command ids missing from contributes.commands: ${missing.join(', ')}`);
      const search = contributes().commands!.find((c) => c.command === 'semanticWorkspace.search')!;
      assert.ok(search.title, 'search has a title');
    });

    test('the activity-bar container, the sidebar WebviewView and the editor context menu are contributed', () => {
      const c = contributes();
      assert.ok(c.viewsContainers?.activitybar?.some((v) => v.id === 'semanticWorkspace'), 'no activitybar container "semanticWorkspace"');
      const view = c.views?.semanticWorkspace?.find((v) => v.id === 'semanticWorkspace.sidebar');
      assert.ok(view, 'no view semanticWorkspace.sidebar in container semanticWorkspace');
      assert.equal(view.type, 'webview');
      const ctx = (c.menus?.['editor/context'] ?? []).map((m) => m.command);
      for (const id of ['semanticWorkspace.searchSelection', 'semanticWorkspace.classifySelection']) {
        assert.ok(ctx.includes(id), `editor/context lacks ${id}`);
      }
    });

    test('settings are contributed with offline as the default provider', () => {
      const provider = vscode.workspace.getConfiguration(SECTION).inspect<string>('provider');
      assert.equal(provider?.defaultValue, 'offline', 'semanticWorkspace.provider must default to offline');
      const cfg = contributes().configuration;
      const props = Object.assign({}, ...(Array.isArray(cfg) ? cfg : [cfg]).map((x) => x?.properties ?? {})) as Record<string, { enum?: unknown[] }>;
      assert.deepEqual([...(props['semanticWorkspace.provider']?.enum ?? [])].sort(), ['dashscope', 'offline', 'openai']);
      assert.ok(Object.keys(props).some((k) => k.startsWith('semanticWorkspace.dashscope.')), 'no semanticWorkspace.dashscope.* settings');
    });

    test('changing semanticWorkspace.provider is picked up (status follows the setting)', async () => {
      const a = await api();
      try {
        // DASHSCOPE_API_KEY is in the environment, so dashscope can really run in a trusted window.
        await setSetting('provider', 'dashscope');
        await waitFor('status provider = dashscope', async () => (await a.refreshStatus()).provider === 'dashscope', 15_000);
        await setSetting('provider', 'offline');
        await waitFor('status provider = offline', async () => (await a.refreshStatus()).provider === 'offline', 15_000);
      } finally {
        await setSetting('provider', undefined);
      }
    });
  });
}
