/**
 * The rerank stage (`semanticWorkspace.search.rerank`) inside the extension host, against the fake
 * DashScope server behind the harness's recording proxy: the order the sidebar and the API get is
 * the reranker's (the fake scores deterministically, so the test recomputes each score from what
 * was sent), and when the rerank route fails the first-stage order comes back with a note, within
 * the rerank's budget. Offline never reranks.
 *
 * Consent cannot be given through the modal dialog in a test window; the test-mode-only command
 * `semanticWorkspace.test.grantConsent` records it (the dialog itself is covered by the UI suite).
 * Runs last: it leaves a DashScope-built index behind.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fakeRelevance } from '../fake-dashscope/rerank';
import { api, authHash, requests, requireFakeServer, setSetting, within, type RecordedRequest } from './helpers';

const ENV_KEY = process.env.DASHSCOPE_API_KEY ?? '';
const reranksSince = (from: number): RecordedRequest[] => requests().slice(from).filter((r) => /rerank/.test(r.path));

/** Switches the recording proxy's failure mode for rerank requests (scripts/e2e/fake-upstream.mjs). */
async function rerankRoute(kind: 'ok' | 'down'): Promise<void> {
  const proxy = new URL(process.env.SEMANTIC_WORKSPACE_DASHSCOPE_BASE_URL!).origin;
  const r = await fetch(`${proxy}/__e2e/mode`, { method: 'POST', body: JSON.stringify({ kind, route: 'rerank' }) });
  assert.equal(r.status, 200, 'the proxy did not accept the mode');
}

const heading = (it: { path: string; symbol?: string }): string => (it.symbol ? `${it.path} › ${it.symbol}` : it.path);
const where = (it: { path: string; startLine: number }): string => `${it.path}:${it.startLine}`;

export function registerRerankTests(): void {
  suite('Rerank stage via the fake server', () => {
    suiteSetup(async function () {
      this.timeout(120_000);
      requireFakeServer();
      await setSetting('search.rerank', true);
    });
    suiteTeardown(async () => {
      await rerankRoute('ok').catch(() => undefined);
      await setSetting('search.rerank', undefined);
      await setSetting('provider', undefined);
      await vscode.commands.executeCommand('semanticWorkspace.revokeConsent');
    });

    test('offline never reranks, whatever the setting says', async () => {
      const from = requests().length;
      const r = await (await api()).searchRanked('how are api requests rate limited');
      assert.equal(r.rerank, undefined, 'an offline search went through the rerank stage');
      assert.equal(reranksSince(from).length, 0, 'a rerank request left an offline workspace');
    });

    test('with DashScope and consent, results follow the reranker\'s scores (one rerank request, with the key)', async function () {
      this.timeout(180_000);
      const a = await api();
      await setSetting('provider', 'dashscope');
      await vscode.commands.executeCommand('semanticWorkspace.test.grantConsent');
      assert.equal(a.hasConsent(), true);
      const reports = await within(a.indexAll({ rebuild: true }), 150_000, 'indexAll over the fake server');
      assert.ok(reports && reports.length > 0, 'the DashScope index was not built');
      const query = 'how are api requests rate limited';
      const from = requests().length;
      const r = await a.searchRanked(query);
      const sent = reranksSince(from);
      assert.equal(sent.length, 1, `expected one rerank request, saw ${sent.length}`);
      assert.equal(sent[0]!.auth, authHash(ENV_KEY), 'the rerank did not carry the key');
      assert.ok(r.rerank, 'no rerank outcome');
      assert.equal(r.rerank.applied, true, `rerank not applied: ${r.rerank.note ?? ''}`);
      assert.equal(r.rerank.note, undefined);
      const body = sent[0]!.body as { model: string; input: { query: string; documents: string[] }; parameters: { instruct?: string; top_n: number } };
      assert.equal(body.model, 'qwen3-rerank');
      assert.equal(body.input.query, query);
      const docs = body.input.documents;
      assert.ok(docs.length >= 2 && r.items.length >= 2, `too few candidates (${docs.length}) to check an order`);
      // Every result's score is the fake reranker's score of the document sent for it, best first.
      const scores = docs.map((d) => fakeRelevance(query, d, body.parameters.instruct));
      for (const it of r.items) {
        const mine = docs.map((d, i) => ({ d, s: scores[i]! })).filter((x) => x.d.split('\n')[0] === heading(it));
        assert.ok(mine.some((x) => Math.abs(x.s - it.score) < 1e-9), `${where(it)}: score ${it.score} is not the reranker's`);
      }
      for (let i = 1; i < r.items.length; i++) assert.ok(r.items[i - 1]!.score >= r.items[i]!.score, 'results are not in the reranker\'s order');
      assert.equal(r.items[0]!.score, Math.max(...scores), 'the top result is not the reranker\'s best document');
    });

    test('a failing rerank route keeps the first-stage order with a note, within the budget', async function () {
      this.timeout(60_000);
      const a = await api();
      const query = 'what do we do when the service is down at night';
      await setSetting('search.rerank', false);
      const plain = await a.searchRanked(query);
      assert.equal(plain.rerank, undefined);
      await setSetting('search.rerank', true);
      await rerankRoute('down');
      const t0 = Date.now();
      const r = await within(a.searchRanked(query), 20_000, 'a search with the rerank route down');
      const took = Date.now() - t0;
      await rerankRoute('ok');
      assert.ok(r.rerank, 'no rerank outcome');
      assert.equal(r.rerank.applied, false);
      assert.match(r.rerank.note ?? '', /first-stage order/i);
      assert.deepEqual(r.items.slice(0, 10).map(where), plain.items.slice(0, 10).map(where), 'the fallback is not the first-stage order');
      // The core's 4 s budget (plus the first stage): a broken reranker never makes a search hang.
      assert.ok(took < 15_000, `the fallback took ${took} ms`);
    });
  });
}
