// UI check of the palette's rerank stage (issue #17 item 4: "the palette shows first-stage results
// at once and re-orders when the rerank arrives"), against the fake DashScope server: its outage
// modes (outageModes.ts) hold every rerank reply back for a while, so the first stage is on screen
// first; then the rows must take the reranker's order. The fake reranker scores deterministically
// (test/fake-dashscope/rerank.ts `fakeRelevance`), so the expected order is recomputed from the
// documents the extension sent. Runs after remote.mjs (DashScope is the provider, consent given).
import fs from 'node:fs';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { commandTitle, quickInput, quickRows, runCommand, sleep, waitUntil } from './lib.mjs';

/** How long the fake holds a rerank reply: well inside the rerank's 4 s budget, long enough to see. */
const RERANK_DELAY_MS = 2000;
const QUERY = 'what to do when a service is throttled by rate limits';

/** The paths of the result rows on screen, top first (rows are virtual: ordered by their index). */
async function rowPaths(page) {
  const rows = await quickRows(page).evaluateAll((els) => els.map((el) => ({
    i: Number(el.getAttribute('data-index')),
    d: el.querySelector('.label-description')?.textContent?.trim() ?? '',
  })));
  return rows.sort((a, b) => a.i - b.i).map((r) => /^(.+):\d+$/.exec(r.d)?.[1]).filter(Boolean);
}

export async function rerankChecks({ page, check, log, requestLog, shot, ws }) {
  const fake = JSON.parse(fs.readFileSync(path.join(path.dirname(requestLog), 'fake.json'), 'utf8')).url;
  const setMode = async (mode) => {
    const r = await fetch(`${fake}/__e2e/mode`, { method: 'POST', body: JSON.stringify(mode) });
    if (!r.ok) throw new Error(`fake mode ${JSON.stringify(mode)}: HTTP ${r.status}`);
  };
  const wsSettings = path.join(ws, '.vscode/settings.json');
  const setRerank = (on) => {
    const s = JSON.parse(fs.readFileSync(wsSettings, 'utf8'));
    if (on) s['semanticWorkspace.search.rerank'] = true;
    else delete s['semanticWorkspace.search.rerank'];
    fs.writeFileSync(wsSettings, JSON.stringify(s, null, 2));
  };
  const reranksSince = (from) => fs.readFileSync(requestLog, 'utf8').split('\n').filter(Boolean).slice(from)
    .map((l) => JSON.parse(l)).filter((r) => /rerank/.test(r.path) && r.body && typeof r.body === 'object');

  await check('palette search with reranking: first-stage rows at once, then the reranker\'s order (screenshots rerank-first-stage.png, rerank-reordered.png)', async () => {
    const { fakeRelevance } = await tsImport('../fake-dashscope/rerank.ts', import.meta.url);
    setRerank(true);
    await setMode({ kind: 'ok', route: 'rerank', delayMs: RERANK_DELAY_MS });
    try {
      await sleep(1500); // VS Code picks the workspace settings file up
      const from = fs.readFileSync(requestLog, 'utf8').split('\n').filter(Boolean).length;
      await runCommand(page, commandTitle('semanticWorkspace.search'));
      await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
      await quickInput(page).fill(QUERY); // one change event: one search, one rerank
      const t0 = Date.now();
      const first = await waitUntil('first-stage rows', async () => { const p = await rowPaths(page); return p.length >= 2 ? p : false; }, 20_000, 50);
      const shownAfter = Date.now() - t0;
      await shot('rerank-first-stage.png');
      // The sidebar may rerank its own search too (it re-runs when the setting changes): this query's request.
      const sent = await waitUntil('the rerank request', async () => reranksSince(from).find((r) => r.body.input?.query === QUERY), 10_000);
      const { input, parameters } = sent.body;
      const expected = input.documents
        .map((d, index) => ({ path: d.split('\n')[0].split(' › ')[0], score: fakeRelevance(input.query, d, parameters?.instruct), index }))
        .sort((a, b) => b.score - a.score || a.index - b.index)
        .map((x) => x.path);
      const final = await waitUntil('the reranker\'s order', async () => {
        const now = await rowPaths(page);
        return now.length >= 2 && now.join('|') === expected.slice(0, now.length).join('|') ? now : false;
      }, 15_000, 50);
      const reorderedAfter = Date.now() - t0;
      await shot('rerank-reordered.png');
      log(`  first stage after ${shownAfter} ms: ${JSON.stringify(first.slice(0, 5))}`);
      log(`  reranked after ${reorderedAfter} ms (${input.documents.length} candidates): ${JSON.stringify(final.slice(0, 5))}`);
      if (first.join('|') === final.join('|')) throw new Error('the first stage already had the reranker\'s order: no re-order to see (pick another query)');
      if (first.join('|') === expected.slice(0, first.length).join('|')) throw new Error('the first rows shown were already the reranked ones: the first stage was not shown first');
      if (await quickRows(page).filter({ hasText: 'first-stage order' }).count()) throw new Error('a rerank note is shown although the rerank arrived');
      await page.keyboard.press('Escape');
    } finally {
      await setMode({ kind: 'ok' });
      setRerank(false);
    }
  });
}
