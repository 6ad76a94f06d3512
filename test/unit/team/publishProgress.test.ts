/**
 * What the extension's indexing notification shows while a complete run publishes to the team
 * index (PGlite + pgvector, fake DashScope): the run's progress goes on with "publishing N of M
 * rows" — new vectors, then the snapshot's chunk rows — counting up to M, with the run's other
 * counts never going backwards; and cancelling during the publish leaves no snapshot.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openEngine } from '../../../src/core/engine';
import type { IndexProgress } from '../../../src/core/engineTypes';
import { TeamIndex } from '../../../src/core/team';
import { startFakeDashScope, type FakeDashScope } from '../../fake-dashscope/server';
import { generateCorpus, writeCorpus } from '../survival/support';
import { sql, startPglite, storeIsConsistent, type PgliteServer } from './support';

const KEY = 'sk-progress0123456789abcdef012345';

describe('publish progress of an index run with a team index', { timeout: 300_000 }, () => {
  let fake: FakeDashScope;
  let db: PgliteServer;
  let base: string;
  before(async () => {
    fake = await startFakeDashScope();
    db = await startPglite();
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-team-progress-'));
    writeCorpus(path.join(base, 'repo'), generateCorpus(16, 40, 4));
  });
  after(async () => {
    await db?.stop();
    await fake?.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  const engineFor = async (indexDir: string, repoId: string) => {
    const team = new TeamIndex({ url: db.url, root: path.join(base, 'repo'), repoId });
    const engine = await openEngine({ root: path.join(base, 'repo'), indexDir: path.join(base, indexDir), provider: 'dashscope', apiKey: KEY, remote: { baseUrl: fake.url, dimensions: 64 }, team });
    return { team, engine };
  };

  test('the progress says "publishing N of M rows" up to M = new vectors + chunk rows', async () => {
    const { team, engine } = await engineFor('idx-a', 'progress/a');
    const seen: IndexProgress[] = [];
    const report = await engine.index({ onProgress: (p) => seen.push(p) });
    await team.close();
    assert.equal(report.team?.error, undefined, report.team?.error?.message);
    const pub = seen.filter((p) => p.publishing);
    assert.ok(pub.length >= 2, `publishing reported ${pub.length} times`);
    const last = pub[pub.length - 1].publishing!;
    assert.equal(last.rowsTotal, report.team!.published!.contentRows + report.chunks);
    assert.equal(last.rowsDone, last.rowsTotal);
    assert.match(last.host, /^127\.0\.0\.1:\d+$/);
    for (let i = 1; i < seen.length; i++) {
      for (const k of ['filesDone', 'chunksDone', 'tokensDone'] as const) assert.ok(seen[i][k] >= seen[i - 1][k], `${k} went back at update ${i}`);
      const [a, b] = [seen[i - 1].publishing, seen[i].publishing];
      if (a && b) assert.ok(b.rowsDone >= a.rowsDone, 'published rows only count up');
    }
  });

  test('cancelling during the publish leaves the local index complete and no snapshot', async () => {
    const { team, engine } = await engineFor('idx-b', 'progress/b');
    const ac = new AbortController();
    const report = await engine.index({ signal: ac.signal, onProgress: (p) => p.publishing && ac.abort() });
    await team.close();
    assert.ok(report.team?.error, 'the publish reports why nothing was published');
    const snaps = await sql<{ n: string }>(db.url, `SELECT count(*) AS n FROM sw_snapshots s JOIN sw_repos r ON r.id = s.repo WHERE r.identity = 'progress/b'`);
    assert.equal(Number(snaps[0].n), 0);
    assert.equal((await storeIsConsistent(db.url)).holes, 0);
    assert.ok((await engine.search('parse the config', { mode: 'keyword' })).length > 0, 'local search works');
  });
});
