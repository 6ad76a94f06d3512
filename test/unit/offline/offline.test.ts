import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OfflineEmbedder, isFittableEmbedder } from '../../../src/core/embedding/offline';
import { openIndex, runIndex } from '../../../src/core/index';
import { workspace } from '../index/helpers';

const topics: Record<string, string[]> = {
  db: ['database', 'query', 'table', 'index', 'transaction', 'schema', 'row', 'column'],
  net: ['socket', 'http', 'request', 'response', 'header', 'timeout', 'retry', 'proxy'],
  ui: ['button', 'click', 'render', 'layout', 'color', 'theme', 'panel', 'widget'],
};

/** Deterministic notes: each mixes words of one topic with a little shared noise. */
function notes(perTopic: number): Record<string, string> {
  const out: Record<string, string> = {};
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (const [name, words] of Object.entries(topics)) {
    for (let i = 0; i < perTopic; i++) {
      const body = Array.from({ length: 40 }, () => (rnd() < 0.85 ? words[Math.floor(rnd() * words.length)] : ['note', 'thing', 'stuff'][Math.floor(rnd() * 3)]));
      out[`notes/${name}-${i}.md`] = `# ${name} note ${i}\n\n${body.join(' ')}.\n`;
    }
  }
  return out;
}

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

test('offline embedder: deterministic fit, unit vectors, model round trip, honest identity', async () => {
  const texts = Object.values(notes(10));
  const a = new OfflineEmbedder({ dimensions: 16 });
  const b = new OfflineEmbedder({ dimensions: 16 });
  assert.ok(isFittableEmbedder(a));
  assert.equal(a.provider, 'offline');
  assert.match(a.label, /offline/);
  await assert.rejects(a.embedDocuments(['x']), /basis/);
  await a.fit(texts);
  await b.fit(texts);
  assert.equal(a.basisId, b.basisId);
  const va = await a.embedDocuments(texts);
  const vb = await b.embedDocuments(texts);
  assert.deepEqual(va, vb);
  for (const v of va) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  const c = new OfflineEmbedder({ dimensions: 16 });
  c.loadModel(a.saveModel());
  assert.equal(c.basisId, a.basisId);
  assert.deepEqual(await c.embedQuery('database query timeout', 'code-search'), await a.embedQuery('database query timeout', 'code-search'));
  assert.deepEqual(await a.embedQuery('zzzz unknownword', 'similarity'), new Float32Array(16), 'no known term: zero vector, not NaN');
  assert.throws(() => c.loadModel(a.saveModel().subarray(0, 30)), /offline model/);
});

test('LSA vectors group notes by topic (what clustering/related files rely on)', async () => {
  const corpus = notes(8);
  const e = new OfflineEmbedder({ dimensions: 8 });
  await e.fit(Object.values(corpus));
  const names = Object.keys(corpus);
  const vecs = await e.embedDocuments(Object.values(corpus));
  let same = 0, sameN = 0, diff = 0, diffN = 0;
  for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) {
    const s = cos(vecs[i], vecs[j]);
    if (names[i].split('-')[0] === names[j].split('-')[0]) { same += s; sameN++; } else { diff += s; diffN++; }
  }
  assert.ok(same / sameN > 0.8 && diff / diffN < 0.3, `same-topic ${same / sameN}, cross-topic ${diff / diffN}`);
});

test('frozen basis: an incremental edit leaves every other vector bit-identical; a rebuild refits', async () => {
  const ws = workspace(notes(6));
  const e = new OfflineEmbedder({ dimensions: 16 });
  const r1 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(r1.chunks, 18);
  const first = openIndex({ indexDir: ws.indexDir, embedder: e });
  assert.equal(first.status, 'ok');
  if (first.status !== 'ok') return;
  const basis = first.index.fingerprint.basisId;
  assert.ok(basis && basis === e.basisId);
  ws.write('notes/db-0.md', '# db note 0\n\nsocket socket http proxy timeout and a brand new word zebra\n');
  ws.write('notes/extra.md', '# extra\n\nbutton theme render widget\n');
  const r2 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: new OfflineEmbedder({ dimensions: 16 }) });
  assert.equal(r2.embeddedChunks, 2);
  const fresh = new OfflineEmbedder({ dimensions: 16 });
  const second = openIndex({ indexDir: ws.indexDir, embedder: fresh });
  assert.equal(second.status, 'ok');
  if (second.status !== 'ok') return;
  assert.equal(second.index.fingerprint.basisId, basis, 'basis frozen across an incremental run');
  assert.equal(fresh.basisId, basis, 'openIndex loads the stored basis into the embedder');
  const dims = 16;
  const rowOf = (idx: typeof first.index, p: string) => idx.chunks.findIndex((c) => c.path === p);
  for (const c of first.index.chunks) {
    if (c.path === 'notes/db-0.md') continue;
    const i = rowOf(first.index, c.path), j = rowOf(second.index, c.path);
    assert.deepEqual(second.index.vectors.subarray(j * dims, (j + 1) * dims), first.index.vectors.subarray(i * dims, (i + 1) * dims), c.path);
  }
  const rebuilt = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: new OfflineEmbedder({ dimensions: 16 }) }, { rebuild: true });
  assert.equal(rebuilt.chunks, 19);
  const third = openIndex({ indexDir: ws.indexDir, embedder: new OfflineEmbedder({ dimensions: 16 }) });
  assert.ok(third.status === 'ok' && third.index.fingerprint.basisId !== basis, 'a rebuild refits on the new corpus');
  // Refit on an unchanged corpus gives the same basis, so nothing needs re-projecting.
  const again = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: new OfflineEmbedder({ dimensions: 16 }) }, { rebuild: true });
  assert.equal(again.embeddedChunks, 0);
});
