/**
 * Settings that cannot apply say so: a machine-scoped endpoint written into the User settings
 * of a remote window (code-server is one) is ignored by VS Code there; the extension must notice
 * it (the one-time "Move to Remote Settings" notice is built on this) and name the value in use.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, sleep, waitFor } from './helpers';

const PLANTED = 'https://dashscope.example.invalid';
const PLANTED_TEAM = 'postgres://planted@team-db.example.invalid:5432/team';

export function registerSettingScopeTests(): void {
  suite('settings that cannot apply say so', () => {
    test('a machine-scoped baseUrl in the User settings of a remote window is reported as ignored, with the value in use', async function () {
      this.timeout(30_000);
      const file = path.join(process.env.SW_E2E_USER_DATA ?? '', 'User', 'settings.json');
      if (!vscode.env.remoteName || !fs.existsSync(file)) this.skip();
      const a = await api();
      const before = fs.readFileSync(file, 'utf8');
      try {
        fs.writeFileSync(file, before.replace('{', `{\n  "semanticWorkspace.dashscope.baseUrl": "${PLANTED}",\n  "semanticWorkspace.teamIndex.url": "${PLANTED_TEAM}",`));
        await sleep(1500); // let VS Code read the file (it would apply it here if it were not ignored)
        const applied = vscode.workspace.getConfiguration('semanticWorkspace').inspect('dashscope.baseUrl')?.globalValue === PLANTED;
        console.log(`    remoteName=${vscode.env.remoteName}; the User value is ${applied ? 'applied' : 'ignored'} here`);
        if (applied) this.skip();
        const ignored = await waitFor('the ignored setting to be reported', () => a.ignoredMachineSettings().find((s) => s.key === 'dashscope.baseUrl'), 10_000);
        assert.equal(ignored.value, PLANTED);
        assert.notEqual(ignored.inUse, PLANTED, 'the value in use is not the ignored one');
        // The team index's URL is machine-scoped too (and the notice never shows its password: settingScope.ts).
        const team = await waitFor('the ignored team index URL to be reported', () => a.ignoredMachineSettings().find((s) => s.key === 'teamIndex.url'), 10_000);
        assert.equal(team.value, PLANTED_TEAM);
        assert.notEqual(team.inUse, PLANTED_TEAM);
      } finally {
        fs.writeFileSync(file, before);
      }
      assert.equal(a.ignoredMachineSettings().length, 0, 'nothing reported once the file is restored');
    });
  });
}
