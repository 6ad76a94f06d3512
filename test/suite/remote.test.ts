/**
 * The DashScope provider against the fake server (behind the harness's recording proxy):
 * consent before any upload, the shape of what is uploaded, and API keys in SecretStorage only.
 * Dialogs and input boxes are answered by the harness (`ui(...)`, code-server only); without it
 * (test-electron) the tests that need a gesture are skipped.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  api, authHash, embedPayload, profileTextFiles, requests, requireFakeServer, setSetting, sleep, ui, uiHelper, within, wsPath,
} from './helpers';

const ENV_KEY = process.env.DASHSCOPE_API_KEY ?? '';
const STORED_KEY = 'sk-e2e-secret-7f3a2b1c9d';

/** Embedding requests recorded after position `from` of the request log. */
const embedsSince = (from: number) =>
  requests().slice(from).map((r) => ({ r, p: embedPayload(r) })).filter((x) => x.p !== undefined) as { r: ReturnType<typeof requests>[number]; p: NonNullable<ReturnType<typeof embedPayload>> }[];

export function registerRemoteTests(): void {
  suite('DashScope via the fake server: consent, uploads, keys', () => {
    suiteSetup(async function () {
      if (!uiHelper()) this.skip();
      requireFakeServer();
      assert.ok(ENV_KEY.startsWith('sk-'), 'DASHSCOPE_API_KEY is not in the extension environment');
      await setSetting('provider', 'dashscope');
      // A different endpoint or provider asks again: start from "no consent".
      await vscode.commands.executeCommand('semanticWorkspace.revokeConsent');
    });
    suiteTeardown(async () => {
      await setSetting('provider', undefined);
    });

    test('nothing is uploaded before consent, and declining uploads nothing', async function () {
      this.timeout(90_000);
      const a = await api();
      assert.equal(a.hasConsent(), false);
      const from = requests().length;
      const run = a.indexAll();
      await sleep(2000); // the dialog is up; the dry run behind it must stay local
      assert.equal(embedsSince(from).length, 0, 'embedding requests were sent while the consent dialog was open');
      ui({ do: 'dialog', button: 'Cancel', expectText: true });
      const reports = await within(run, 60_000, 'indexAll after declining');
      assert.equal(reports, undefined, 'indexing went ahead without consent');
      assert.equal(a.hasConsent(), false);
      assert.equal(embedsSince(from).length, 0, 'embedding requests were sent after declining');
    });

    test('after consent: documents reach the server as text_type=document, ≤ 10 texts per request, with the key', async function () {
      this.timeout(120_000);
      const a = await api();
      const from = requests().length;
      const run = a.indexAll();
      ui({ do: 'dialog', button: 'Upload and Index' });
      const reports = await within(run, 110_000, 'indexAll after consenting');
      assert.ok(reports && reports.length === 1, 'no index report');
      assert.ok(a.hasConsent(), 'consent was not remembered');
      const embeds = embedsSince(from);
      assert.ok(embeds.length > 0, 'nothing reached the fake server');
      for (const { p } of embeds) {
        assert.equal(p.textType, 'document', `a request had text_type ${p.textType}`);
        assert.ok(p.texts.length >= 1 && p.texts.length <= 10, `a request carried ${p.texts.length} texts`);
      }
      assert.ok(embeds.every(({ r }) => r.auth === authHash(ENV_KEY)), 'requests did not carry the environment key');
      const texts = embeds.flatMap(({ p }) => p.texts);
      assert.ok(texts.length >= reports[0]!.embeddedChunks, `${texts.length} texts sent for ${reports[0]!.embeddedChunks} embedded chunks`);
      assert.ok(!texts.some((t) => t.includes('sk-fixture-never-upload') || t.includes('zebra-quokka')), '.env or git-ignored content was uploaded');
      const status = await a.refreshStatus();
      assert.equal(status.provider, 'dashscope');
      assert.equal(status.state, 'ready');
    });

    test('a search embeds the query as text_type=query and finds the file', async () => {
      const a = await api();
      const from = requests().length;
      const hits = await a.search('thread-safe queue of messages between producers and consumers');
      assert.ok(hits.some((h) => h.path === 'src/mailbox.py'), `mailbox.py not in ${hits.map((h) => h.path).join(', ')}`);
      const embeds = embedsSince(from);
      assert.equal(embeds.length, 1, 'expected exactly one query embedding');
      assert.equal(embeds[0]!.p.textType, 'query');
    });

    test('Set API Key stores the key in SecretStorage: used for requests, absent from settings and logs', async function () {
      this.timeout(60_000);
      const a = await api();
      const run = vscode.commands.executeCommand('semanticWorkspace.setApiKey');
      ui({ do: 'input', text: STORED_KEY });
      await within(run, 30_000, 'setApiKey');
      const from = requests().length;
      await a.search('token bucket refill rate for api calls');
      const embeds = embedsSince(from);
      assert.ok(embeds.length > 0, 'the query was not embedded remotely');
      assert.equal(embeds[0]!.r.auth, authHash(STORED_KEY), 'the stored key (SecretStorage) was not the one used');
      await sleep(1500); // log channels flush to disk asynchronously
      const files = [...profileTextFiles(), wsPath('.vscode/settings.json')].filter((f) => fs.existsSync(f));
      assert.ok(files.some((f) => f.endsWith('settings.json')), 'no settings.json found to check');
      const leaks = files.filter((f) => fs.readFileSync(f, 'utf8').includes(STORED_KEY) || fs.readFileSync(f, 'utf8').includes(ENV_KEY));
      assert.deepEqual(leaks, [], `the API key appears in ${leaks.join(', ')}`);
    });

    test('Clear API Key removes it from SecretStorage (the environment key is used again)', async () => {
      const a = await api();
      await within(vscode.commands.executeCommand('semanticWorkspace.clearApiKey'), 15_000, 'clearApiKey');
      const from = requests().length;
      await a.search('deployment rollback checklist');
      const embeds = embedsSince(from);
      assert.ok(embeds.length > 0);
      assert.equal(embeds[0]!.r.auth, authHash(ENV_KEY));
    });

    test('Revoke Consent: live updates upload nothing until consent is given again', async function () {
      this.timeout(60_000);
      const a = await api();
      await vscode.commands.executeCommand('semanticWorkspace.revokeConsent');
      assert.equal(a.hasConsent(), false);
      const from = requests().length;
      fs.appendFileSync(wsPath('notes/deployment.md'), '\n## Canary\nShip to one percent of users first.\n');
      await sleep(1500);
      await a.flushLiveUpdates();
      assert.equal(embedsSince(from).length, 0, 'a live update uploaded without consent');
    });
  });
}
