/**
 * Restricted Mode and the team index: whatever the (user) settings name, an untrusted workspace
 * never contacts the database — not for indexing, not for remote search — and the status says why.
 * A gate on an ephemeral port stands in for the database host and counts every TCP connection.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, setSetting, within } from './helpers';
import { startPasswordGate, type PasswordGate } from './teamSupport';

export function registerTeamRestrictedTests(): void {
  suite('Restricted Mode: no team index use at all', () => {
    let gate: PasswordGate;
    suiteSetup(async () => {
      // Nothing may get past the TCP accept: no upstream database is needed.
      gate = await startPasswordGate(9, 'unused');
      await setSetting('provider', 'dashscope', vscode.ConfigurationTarget.Global);
      await setSetting('teamIndex.url', gate.url('pw-in-url-restricted'), vscode.ConfigurationTarget.Global);
      await setSetting('teamIndex.remoteSearch', true, vscode.ConfigurationTarget.Global);
    });
    suiteTeardown(async () => {
      await setSetting('teamIndex.remoteSearch', undefined, vscode.ConfigurationTarget.Global);
      await setSetting('teamIndex.url', undefined, vscode.ConfigurationTarget.Global);
      await setSetting('provider', undefined, vscode.ConfigurationTarget.Global);
      await gate?.close();
    });

    test('indexing and remote search stay local: not one connection reaches the database host', async function () {
      this.timeout(120_000);
      assert.equal(vscode.workspace.isTrusted, false);
      const a = await api();
      const reports = await within(a.indexAll(), 110_000, 'indexAll in Restricted Mode with a team index');
      assert.ok(reports && reports[0]!.filesIndexed > 0, 'the local index was not built');
      assert.equal(reports[0]!.team, undefined, 'the run used the team index');
      const hits = await a.search('mailbox receive message queue');
      assert.ok(hits.length > 0);
      assert.equal(gate.counts.connections, 0, `${gate.counts.connections} connection(s) reached the team index host`);
      const st = await a.refreshStatus();
      assert.equal(st.team?.ok, false);
      assert.match(st.team!.detail, /Restricted Mode: the team index at 127\.0\.0\.1:\d+ is not used/);
    });
  });
}
