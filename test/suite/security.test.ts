/**
 * The sidebar is untrusted input: a message that names a path outside the workspace must open
 * nothing. The harness posts the forged messages through the webview's real message channel
 * (`E2E-UI forge`), followed by a legitimate one as a control that proves the channel works.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, folder, profileTextFiles, sleep, ui, uiHelper, waitFor } from './helpers';

function openTabPaths(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .map((t) => (t.input instanceof vscode.TabInputText ? t.input.uri.fsPath : ''))
    .filter(Boolean);
}

export function registerSecurityTests(): void {
  suite('sidebar messages are validated', () => {
    test('a forged "open" naming a path outside the workspace is refused', async function () {
      if (!uiHelper()) this.skip();
      this.timeout(90_000);
      await api();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const root = folder().uri.fsPath;
      const outside = path.join(path.dirname(root), 'outside-secret.txt');
      fs.writeFileSync(outside, 'not part of the workspace');
      const key = folder().uri.toString();
      const forged = ['../outside-secret.txt', outside, '/etc/passwd', 'file:///etc/passwd', 'notes/../../outside-secret.txt', 'C:\\Windows\\win.ini']
        .map((p) => ({ type: 'open', ref: { folder: key, path: p, startLine: 1 }, side: false }));
      const control = { type: 'open', ref: { folder: key, path: 'src/health.go', startLine: 12 }, side: false };
      await vscode.commands.executeCommand('semanticWorkspace.sidebar.focus');
      ui({ do: 'forge', messages: [...forged, { type: 'open', ref: { folder: 'file:///etc', path: 'passwd' }, side: false }, control] });
      await waitFor('the control message to open src/health.go', () => openTabPaths().some((p) => p.endsWith(path.join('src', 'health.go'))), 45_000);
      // Messages are handled in order, so the forged ones are settled once the control's editor shows
      // its line (a loaded machine can apply the selection a moment after the tab appears).
      await waitFor('the control to select line 12 of src/health.go', () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.fsPath.endsWith(path.join('src', 'health.go')) && e.selection.start.line === 11;
      }, 15_000);
      await sleep(500);
      const opened = openTabPaths().filter((p) => !p.startsWith(root + path.sep));
      assert.deepEqual(opened, [], `files outside the workspace were opened: ${opened.join(', ')}`);
      // The refusals are logged (warn) in the extension's output channel.
      const logs = profileTextFiles().filter((f) => f.endsWith('Semantic Workspace.log'));
      if (logs.length) {
        await waitFor('refusals in the log', () => logs.some((f) => /refused to open/.test(fs.readFileSync(f, 'utf8'))), 30_000);
      }
    });
  });
}
