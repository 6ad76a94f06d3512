/**
 * Restricted Mode (run.sh opens this window untrusted: trust enabled, no prompt): whatever the
 * settings say, only the offline provider runs and nothing reaches the (fake) cloud endpoint.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, embedPayload, requests, requireFakeServer, setSetting, within } from './helpers';

export function registerRestrictedTests(): void {
  suite('Restricted Mode', () => {
    suiteSetup(async () => {
      requireFakeServer();
      // User settings: workspace settings of an untrusted folder are not a fair test of the guard.
      await setSetting('provider', 'dashscope', vscode.ConfigurationTarget.Global);
    });
    suiteTeardown(async () => {
      await setSetting('provider', undefined, vscode.ConfigurationTarget.Global);
    });

    test('the window is untrusted and the status says so', async () => {
      assert.equal(vscode.workspace.isTrusted, false, 'the harness should open this workspace in Restricted Mode');
      const a = await api();
      const s = await a.refreshStatus();
      assert.equal(s.restricted, true, `status: ${JSON.stringify(s)}`);
    });

    test('provider=dashscope still runs offline', async () => {
      assert.equal(vscode.workspace.getConfiguration('semanticWorkspace').get('provider'), 'dashscope');
      const s = await (await api()).refreshStatus();
      assert.equal(s.provider, 'offline', `running provider in Restricted Mode: ${s.provider}`);
    });

    test('indexing and search work offline and upload nothing (no consent dialog either)', async function () {
      this.timeout(120_000);
      const a = await api();
      const from = requests().length;
      const reports = await within(a.indexAll(), 110_000, 'indexAll in Restricted Mode');
      assert.ok(reports && reports[0]!.filesIndexed >= 8, 'offline index was not built');
      const hits = await a.search('mailbox receive message queue');
      assert.equal(hits[0]?.path, 'src/mailbox.py');
      const sent = requests().slice(from).filter((r) => embedPayload(r));
      assert.equal(sent.length, 0, `${sent.length} request(s) reached the cloud endpoint in Restricted Mode`);
      assert.equal((await a.refreshStatus()).provider, 'offline');
    });
  });
}
