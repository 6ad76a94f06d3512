/**
 * The sidebar follows the state and the walkthrough follows what really happened (issue #14,
 * points 6–8), in a real VS Code over the indexed fixture workspace (offline provider):
 * - before any index the walkthrough's "Index" and "Search by meaning" steps stay open;
 * - Tags made for one file go stale (Apply off) while another file is in the editor;
 * - Topics go stale when the notes change, and vanish — banner included — after a provider switch;
 * - Related says why it is empty instead of "Open an indexed file" while one is open;
 * - Find Duplicates: a planted 95 %-identical note is exactly one row;
 * - Find Outliers lists exactly the Topics section's outliers first;
 * - Search for Selection does not list the selection itself.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, setSetting, sleep, waitFor, wsPath } from './helpers';

const HAS_INDEX = 'semanticWorkspace.hasIndex';
const SEARCHED = 'semanticWorkspace.searchedIndex';

/** Runs before the index suite: nothing is indexed yet. */
export function registerWalkthroughBeforeIndexTests(): void {
  suite('walkthrough before any index', () => {
    test('a search attempt without an index ticks neither "Index" nor "Search by meaning"', async () => {
      const a = await api();
      await a.refreshStatus();
      await a.search('rollback previous container image').catch(() => []);
      await sleep(300);
      const keys = a.walkthroughContext();
      assert.notEqual(keys[HAS_INDEX], true, JSON.stringify(keys));
      assert.notEqual(keys[SEARCHED], true, JSON.stringify(keys));
      const steps = (vscode.extensions.getExtension('semantic-workspace.semantic-workspace')?.packageJSON as {
        contributes: { walkthroughs: { steps: { id: string; completionEvents: string[] }[] }[] };
      }).contributes.walkthroughs[0]!.steps;
      assert.deepEqual(steps.find((s) => s.id === 'index')?.completionEvents, [`onContext:${HAS_INDEX}`]);
      assert.deepEqual(steps.find((s) => s.id === 'search')?.completionEvents, [`onContext:${SEARCHED}`]);
    });
  });
}

export function registerPanelTests(): void {
  suite('panels follow state', () => {
    const open = async (rel: string) => vscode.window.showTextDocument(vscode.Uri.file(wsPath(rel)), { preview: false });

    suiteSetup(async () => {
      await setSetting('tags', [{ label: 'gardening', description: 'plants, soil and watering' }, { label: 'deployment' }]);
      await vscode.commands.executeCommand('semanticWorkspace.focusSidebar');
    });
    suiteTeardown(async () => {
      await setSetting('tags', undefined);
      await setSetting('provider', undefined);
    });

    test('walkthrough: the index exists, then a search over it completes "Search by meaning"', async () => {
      const a = await api();
      await a.refreshStatus();
      await waitFor('hasIndex context key', () => a.walkthroughContext()[HAS_INDEX]);
      assert.ok((await a.search('compost soil')).length > 0);
      await waitFor('searchedIndex context key', () => a.walkthroughContext()[SEARCHED]);
    });

    test('Tags: another file in the editor marks the classification stale; back to the file, it is live again', async function () {
      this.timeout(60_000);
      const a = await api();
      await open('notes/herbs.md');
      const view = await a.classify('Herbs in pots dry out quickly; water the soil when it is dry.', 'notes/herbs.md');
      assert.ok(view && view.scores.length === 2, 'no classification');
      assert.notEqual(a.sidebar().tags?.stale, true);
      await open('src/csvParser.ts');
      await waitFor('tags marked stale while csvParser.ts is open', () => a.sidebar().tags?.stale === true);
      await open('notes/herbs.md');
      await waitFor('tags live again on herbs.md', () => a.sidebar().tags?.stale === false);
    });

    test('Related names the open file and says why a list is empty', async function () {
      this.timeout(60_000);
      const a = await api();
      await open('src/rateLimiter.ts');
      const shown = await waitFor('Related for rateLimiter.ts', () => {
        const r = a.sidebar().related;
        return r?.forTitle === 'src/rateLimiter.ts' && r.items.length > 0 ? r : undefined;
      });
      assert.equal(shown.empty, undefined);
      // A file the index leaves out (git-ignored): named, with the reason — not "Open an indexed file".
      await open('ignored/skip-me.txt');
      const ignored = await waitFor('Related for the ignored file', () => {
        const r = a.sidebar().related;
        return r?.forTitle === 'ignored/skip-me.txt' ? r : undefined;
      });
      assert.equal(ignored.empty, 'notIndexed');
    });

    test('Find Duplicates: the planted 95 % copy of a note is exactly one row', async function () {
      this.timeout(60_000);
      const a = await api();
      const original = fs.readFileSync(wsPath('notes/deployment.md'), 'utf8');
      const copy = original.replace('# Deployment checklist', '# Deployment checklist (copy)').replace('for ten minutes', 'for fifteen minutes');
      fs.writeFileSync(wsPath('notes/deployment-copy.md'), copy);
      try {
        const rows = await waitFor('the copy indexed and paired', async () => {
          await a.flushLiveUpdates();
          const r = await a.duplicates();
          return r.some((p) => p.a === 'notes/deployment-copy.md') ? r : undefined;
        });
        const notes = rows.filter((p) => p.kind === 'doc');
        assert.deepEqual(notes.map((p) => [p.a, p.b]), [['notes/deployment-copy.md', 'notes/deployment.md']], JSON.stringify(rows));
        assert.ok(notes[0]!.share >= 0.85 && notes[0]!.share < 1, `share ${notes[0]!.share}`);
      } finally {
        fs.rmSync(wsPath('notes/deployment-copy.md'), { force: true });
        await sleep(300);
        await a.flushLiveUpdates();
      }
    });

    test('Topics go stale when a note changes; Find Outliers lists the Topics outliers first, in order', async function () {
      this.timeout(90_000);
      const a = await api();
      const topics = await a.clusterNotes();
      assert.ok(topics.topics.length >= 2 && !topics.stale, 'no fresh topics');
      const outliers = await a.outliers();
      const shown = a.sidebar().topics!;
      const notesFirst = outliers.filter((o) => o.topicOutlier).map((o) => o.path);
      assert.deepEqual(notesFirst, shown.outliers.map((o) => o.title), 'Find Outliers and the Topics section disagree');
      assert.deepEqual(outliers.slice(0, notesFirst.length).map((o) => o.path), notesFirst, 'the Topics outliers come first');
      const inTopics = new Set(shown.topics.flatMap((t) => t.members.map((m) => m.title)));
      assert.ok(!outliers.some((o) => inTopics.has(o.path)), 'a note inside a topic is listed as an outlier');

      const file = wsPath('notes/compost.md');
      const before = fs.readFileSync(file, 'utf8');
      try {
        fs.appendFileSync(file, '\n## Worms\n\nA worm bin turns kitchen scraps into compost in a few weeks.\n');
        await waitFor('topics marked stale', async () => {
          await a.flushLiveUpdates();
          return a.sidebar().topics?.stale === true;
        });
        assert.equal((await a.clusterNotes()).stale, undefined, 'clustering again gives current topics');
        assert.notEqual(a.sidebar().topics?.stale, true);
      } finally {
        fs.writeFileSync(file, before);
        await sleep(300);
        await a.flushLiveUpdates();
      }
    });

    test('Search for Selection does not list the selection itself', async () => {
      const a = await api();
      const lines = fs.readFileSync(wsPath('src/csvParser.ts'), 'utf8').split('\n');
      const end = Math.min(lines.length, 12);
      const selected = lines.slice(0, end).join('\n');
      const plain = await a.search(selected);
      assert.equal(plain[0]?.path, 'src/csvParser.ts', 'the plain search finds the selection itself first');
      const similar = await a.searchSelection('src/csvParser.ts', 1, end);
      assert.ok(!similar.some((h) => h.path === 'src/csvParser.ts' && h.startLine <= end && h.endLine >= 1), JSON.stringify(similar.slice(0, 3)));
    });

    test('a provider switch drops the old topics (and their "Offline provider" banner) and the old tags', async function () {
      this.timeout(60_000);
      const a = await api();
      await open('notes/herbs.md');
      await a.clusterNotes();
      await a.classify('Herbs in pots dry out quickly.', 'notes/herbs.md');
      assert.equal(a.sidebar().topics?.offline, true);
      await setSetting('provider', 'dashscope'); // the harness provides a DashScope key in the environment
      await waitFor('the DashScope provider running', async () => (await a.refreshStatus()).provider === 'dashscope');
      await waitFor('topics and tags dropped', () => !a.sidebar().topics && !a.sidebar().tags);
      await setSetting('provider', undefined);
      await waitFor('offline again', async () => (await a.refreshStatus()).provider === 'offline');
    });
  });
}
