/**
 * Offline indexing of the fixture workspace, search quality on known queries, the index's
 * location, and live (incremental) updates after edit + save. (Clear Index confirms in a modal
 * dialog, which VS Code refuses to show in a test window: the UI suite covers it.)
 * Runs with the default provider (offline): nothing here may reach the fake DashScope server.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, folder, requests, waitFor, within, wsPath } from './helpers';

/** query → the file that must rank first (offline provider: BM25 + LSA hybrid). */
const EXPECTED_TOP: [string, string][] = [
  ['parse csv quoted fields', 'src/csvParser.ts'],
  ['mailbox receive message queue', 'src/mailbox.py'],
  ['health check handler uptime', 'src/health.go'],
  ['rollback previous container image', 'notes/deployment.md'],
  ['缓存淘汰策略', 'notes/缓存策略.md'],
  ['tomatoes sunlight balcony', 'notes/gardening.md'],
];

export function registerIndexTests(): void {
  suite('offline index and search', () => {
    let before = 0;
    suiteSetup(() => {
      before = requests().length;
    });

    test('Index Workspace (command) builds a loadable index outside the workspace', async function () {
      this.timeout(120_000);
      const a = await api();
      await within(vscode.commands.executeCommand('semanticWorkspace.indexWorkspace'), 110_000, 'indexWorkspace');
      const status = await a.refreshStatus();
      assert.equal(status.state, 'ready', `status after indexing: ${JSON.stringify(status)}`);
      assert.equal(status.provider, 'offline');
      assert.ok(status.files >= 8, `only ${status.files} files indexed`);
      assert.ok(status.chunks >= status.files, `only ${status.chunks} chunks`);

      const engine = await a.getEngine(folder().uri);
      assert.ok(engine, 'no engine for the workspace folder');
      const root = folder().uri.fsPath;
      assert.ok(!path.resolve(engine.indexDir).startsWith(root + path.sep), `index lives inside the workspace: ${engine.indexDir}`);
      const manifests = walkManifests(engine.indexDir);
      assert.ok(manifests.length > 0, `no manifest.json under ${engine.indexDir}`);
      JSON.parse(fs.readFileSync(manifests[0]!, 'utf8')); // the commit point parses

      const loaded = await engine.loadForAnalysis();
      assert.ok(loaded, 'loadForAnalysis() found no index');
      const paths = new Set(loaded.chunks.map((c) => c.path));
      for (const p of ['src/rateLimiter.ts', 'src/csvParser.ts', 'src/mailbox.py', 'src/health.go', 'notes/缓存策略.md']) {
        assert.ok(paths.has(p), `${p} is not in the index (has ${[...paths].join(', ')})`);
      }
      assert.ok(![...paths].some((p) => p.startsWith('ignored/')), 'a .gitignore-d file was indexed');
      assert.equal(loaded.vectors.length, loaded.chunks.length * loaded.dims, 'one vector per chunk');
      // The build left the extension host's event loop: it ran in the index worker process.
      assert.ok(workerRuns(engine).workerRuns >= 1 && workerRuns(engine).inProcessRuns === 0, `index runs: ${JSON.stringify(workerRuns(engine))}`);
    });

    for (const [query, file] of EXPECTED_TOP) {
      test(`search "${query}" → ${file} first`, async () => {
        const hits = await (await api()).search(query);
        assert.ok(hits.length > 0, 'no results');
        assert.equal(hits[0]!.path, file, `top 3: ${hits.slice(0, 3).map((h) => `${h.path}:${h.startLine}`).join(', ')}`);
        assert.ok(hits[0]!.startLine >= 1 && hits[0]!.endLine >= hits[0]!.startLine, 'bad line range');
        assert.ok(hits[0]!.snippet.trim(), 'empty snippet');
      });
    }

    test('search hits point at the matching symbol and the right lines', async () => {
      const hits = await (await api()).search('take the oldest message waiting up to timeout');
      const hit = hits.find((h) => h.path === 'src/mailbox.py');
      assert.ok(hit, 'mailbox.py not found');
      // `receive` is lines 13–15 of the fixture; the hit's range must cover it.
      assert.ok(hit.startLine <= 13 && hit.endLine >= 15, `range ${hit.startLine}-${hit.endLine} misses receive()`);
    });

    test('git-ignored content is never searchable', async () => {
      const hits = await (await api()).search('zebra-quokka-marker');
      assert.ok(!hits.some((h) => h.path.startsWith('ignored/')), 'ignored/skip-me.txt was found');
    });

    test('incremental update: editing + saving a file makes new content searchable', async function () {
      this.timeout(60_000);
      const a = await api();
      const uri = vscode.Uri.file(wsPath('src/mailbox.py'));
      const doc = await vscode.workspace.openTextDocument(uri);
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, new vscode.Position(doc.lineCount, 0),
        '\n    def frobnicate_quasar(self) -> None:\n        """Drop every quasar message (added by the e2e test)."""\n        self._queue = queue.Queue()\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(await doc.save(), 'save failed');
      const hit = await waitFor('the edit to be searchable', async () => {
        await a.flushLiveUpdates();
        return (await a.search('frobnicate_quasar')).find((h) => h.path === 'src/mailbox.py');
      }, 30_000);
      assert.ok(hit.endLine > 18, `new chunk range ${hit.startLine}-${hit.endLine} is not the appended method`);
      const runs = workerRuns((await a.getEngine(folder().uri))!);
      assert.ok(runs.workerRuns >= 2 && runs.inProcessRuns === 0, `the live update ran in the index worker too: ${JSON.stringify(runs)}`);
    });

    test('incremental update: a new file is added and a deleted file disappears', async function () {
      this.timeout(60_000);
      const a = await api();
      const added = vscode.Uri.file(wsPath('notes/new-idea.md'));
      await vscode.workspace.fs.writeFile(added, Buffer.from('# Idea\n\nA xylophone-shaped bookshelf for the hallway.\n'));
      await vscode.workspace.fs.delete(vscode.Uri.file(wsPath('notes/gardening.md')));
      await waitFor('new note searchable and deleted note gone', async () => {
        await a.flushLiveUpdates();
        const found = (await a.search('xylophone bookshelf')).some((h) => h.path === 'notes/new-idea.md');
        const gone = !(await a.search('tomatoes sunlight balcony')).some((h) => h.path === 'notes/gardening.md');
        return found && gone;
      }, 30_000);
    });

    test('Related: semanticWorkspace.related.historyWeight sets how much recently opened files steer the list', async function () {
      this.timeout(60_000);
      const a = await api();
      const config = vscode.workspace.getConfiguration('semanticWorkspace');
      // A detour to an ops note, then the herbs note: the ops note is now the most recent file.
      for (const f of ['notes/release-process.md', 'notes/herbs.md']) {
        await vscode.window.showTextDocument(vscode.Uri.file(wsPath(f)));
        await waitFor(`${f} recorded as recent`, () => a.relatedLists().recent.some((k) => k.endsWith(f)));
      }
      const scoreOf = (items: readonly { title: string; score: number }[], f: string) => items.find((i) => i.title === f)?.score ?? 0;
      const listFor = async (weight: number) => {
        await config.update('related.historyWeight', weight, vscode.ConfigurationTarget.Workspace);
        return (await a.related('notes/herbs.md')).items;
      };
      try {
        const off = await listFor(0);
        const full = await listFor(1);
        assert.ok(off.length > 0, 'Related is empty');
        const rank = (items: readonly { title: string }[], f: string) => items.findIndex((i) => i.title === f);
        const brief = (items: readonly { title: string; score: number }[]) => JSON.stringify(items.slice(0, 4).map((i) => [i.title, i.score]));
        assert.ok(rank(off, 'notes/compost.md') >= 0 && (rank(off, 'notes/release-process.md') < 0 || rank(off, 'notes/compost.md') < rank(off, 'notes/release-process.md')),
          `with history off, the plant note ranks above the ops note: ${brief(off)}`);
        assert.ok(scoreOf(full, 'notes/release-process.md') > scoreOf(off, 'notes/release-process.md') + 0.05,
          `history weight 1 lifts the recently opened note: ${brief(off)} → ${brief(full)}`);
      } finally {
        await config.update('related.historyWeight', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });

    test('the offline provider sent nothing to the network', () => {
      assert.equal(requests().length, before, 'requests reached the fake DashScope server while offline');
    });
  });
}

function walkManifests(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walkManifests(p, out);
    else if (e.name === 'manifest.json') out.push(p);
  }
  return out;
}

/** Where the engine's index runs went (the extension's engine is `openHostEngine`'s). */
function workerRuns(engine: object): { workerRuns: number; inProcessRuns: number } {
  return (engine as { stats?: { workerRuns: number; inProcessRuns: number } }).stats ?? { workerRuns: 0, inProcessRuns: -1 };
}
