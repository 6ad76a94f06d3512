/**
 * The DashScope provider against the fake server (which logs every request for the harness), from
 * inside the extension host: no upload without consent, batching and text_type of what an engine
 * sends, and API keys kept in SecretStorage only.
 *
 * The consent dialog itself is modal, and VS Code refuses modal dialogs in a window that runs
 * extensionTestsPath; here it simply cannot be answered, which must mean "nothing is uploaded".
 * Granting consent through the real dialog and the uploads that follow are covered by the UI
 * suite (test/ui/remote.mjs). The input box of Set API Key is typed into by the harness
 * (`ui({do: 'input'})`), so those tests skip under test-electron.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  api, authHash, embedPayload, folder, profileTextFiles, requests, requireFakeServer, setSetting, sleep, ui, uiHelper, within, wsPath,
  type RecordedRequest,
} from './helpers';

const ENV_KEY = process.env.DASHSCOPE_API_KEY ?? '';
const STORED_KEY = 'sk-e2e-secret-7f3a2b1c9d';

type Embed = { r: RecordedRequest; p: NonNullable<ReturnType<typeof embedPayload>> };
/** Embedding requests recorded after position `from` of the request log. */
const embedsSince = (from: number): Embed[] =>
  requests().slice(from).map((r) => ({ r, p: embedPayload(r) })).filter((x): x is Embed => x.p !== undefined);

/** Embeds one query through the workspace engine (test API) and returns the request it caused. */
async function embedOneQuery(text: string): Promise<Embed> {
  const engine = await (await api()).getEngine(folder().uri);
  assert.ok(engine, 'no engine');
  const from = requests().length;
  await engine.embedTexts([text], 'code-search');
  const embeds = embedsSince(from);
  assert.equal(embeds.length, 1, `expected one request, saw ${embeds.length}`);
  return embeds[0]!;
}

export function registerRemoteTests(): void {
  suite('DashScope via the fake server: consent, batching, keys', () => {
    suiteSetup(async () => {
      requireFakeServer();
      assert.ok(ENV_KEY.startsWith('sk-'), 'DASHSCOPE_API_KEY is not in the extension environment');
      await setSetting('provider', 'dashscope');
      await vscode.commands.executeCommand('semanticWorkspace.revokeConsent');
    });
    suiteTeardown(async () => {
      await setSetting('provider', undefined);
    });

    test('before consent not one request reaches the server: status, the search door, no dimension probe', async function () {
      this.timeout(60_000);
      const a = await api();
      const from = requests().length;
      assert.equal((await a.refreshStatus()).provider, 'dashscope');
      // The door refuses a search that would embed the query before consent (and sends nothing).
      await assert.rejects(a.search('where do we throttle api calls'), /agree to uploads/);
      assert.equal(requests().length - from, 0, `${requests().length - from} request(s) before consent`);
    });

    test('without consent nothing is uploaded (index run, then a live update)', async function () {
      this.timeout(90_000);
      const a = await api();
      assert.equal(a.hasConsent(), false);
      assert.equal((await a.refreshStatus()).provider, 'dashscope', 'dashscope should be the running provider (key in env)');
      const from = requests().length;
      // The consent dialog is refused in a test window: the run must end without uploading.
      const reports = await within(a.indexAll().catch(() => undefined), 60_000, 'indexAll without consent');
      assert.equal(reports, undefined, 'indexing went ahead without consent');
      assert.equal(a.hasConsent(), false);
      fs.appendFileSync(wsPath('notes/deployment.md'), '\n## Canary\nShip to one percent of users first.\n');
      await sleep(1000);
      await a.flushLiveUpdates();
      assert.equal(embedsSince(from).length, 0, 'embedding requests reached the server without consent');
    });

    test('documents go out as text_type=document, at most 10 texts per request, with the key', async function () {
      this.timeout(60_000);
      const engine = await (await api()).getEngine(folder().uri);
      assert.ok(engine);
      const texts = Array.from({ length: 23 }, (_, i) => `document number ${i} about mailboxes and rate limits`);
      const from = requests().length;
      const vectors = await engine.embedTexts(texts, 'document');
      assert.equal(vectors.length, 23);
      const embeds = embedsSince(from);
      assert.ok(embeds.length >= 3, `23 texts in ${embeds.length} request(s)`);
      for (const { r, p } of embeds) {
        assert.equal(p.textType, 'document');
        assert.ok(p.texts.length >= 1 && p.texts.length <= 10, `a request carried ${p.texts.length} texts`);
        assert.equal(r.auth, authHash(ENV_KEY), 'the request did not carry the environment key');
      }
      assert.equal(embeds.reduce((n, e) => n + e.p.texts.length, 0), 23);
    });

    test('queries go out as text_type=query', async () => {
      const { p } = await embedOneQuery('where do we throttle api calls');
      assert.equal(p.textType, 'query');
    });

    test('Set API Key stores the key in SecretStorage: used for requests, absent from settings and logs', async function () {
      if (!uiHelper()) this.skip();
      this.timeout(60_000);
      const run = vscode.commands.executeCommand('semanticWorkspace.setApiKey');
      ui({ do: 'input', text: STORED_KEY });
      await within(run, 30_000, 'setApiKey (input box)');
      const { r } = await embedOneQuery('secret storage check');
      assert.equal(r.auth, authHash(STORED_KEY), 'the stored key (SecretStorage) was not the one used');
      await sleep(1500); // log channels flush to disk asynchronously
      const files = [...profileTextFiles(), wsPath('.vscode/settings.json')].filter((f) => fs.existsSync(f));
      assert.ok(files.some((f) => f.endsWith('settings.json')), 'no settings.json found to check');
      const leaks = files.filter((f) => {
        const text = fs.readFileSync(f, 'utf8');
        return text.includes(STORED_KEY) || text.includes(ENV_KEY);
      });
      assert.deepEqual(leaks, [], `the API key appears in ${leaks.join(', ')}`);
    });

    test('Clear API Key removes it from SecretStorage (the environment key is used again)', async function () {
      if (!uiHelper()) this.skip();
      await within(vscode.commands.executeCommand('semanticWorkspace.clearApiKey'), 15_000, 'clearApiKey');
      const { r } = await embedOneQuery('key cleared check');
      assert.equal(r.auth, authHash(ENV_KEY));
    });
  });
}
