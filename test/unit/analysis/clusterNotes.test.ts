import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyText, clusterNotes, type EmbedAs, type NoteClustering } from '../../../src/core/analysis';
import { QUERY_INSTRUCTIONS } from '../../../src/core/embedding/instructions';
import { createDashScopeEmbedder } from '../../../src/core/embedding/dashscope';
import { startFakeDashScope } from '../../fake-dashscope/server';
import { adjustedRandIndex, EMBED_DIMS, loadCorpus, shuffled } from './support';

/**
 * Known structure of the fixtures: subject = folder (the intended label of every note), except the
 * planted notes. Vectors: the fake DashScope server's (`fakeEmbedding`, 1024 dims), the last suite
 * fetches them over HTTP through the product's DashScope embedder.
 */
const OFF_TOPIC = { 'notes-en': 'notes-en/misc/tax-return.md', 'notes-zh': 'notes-zh/misc/wedding-planning.md' } as const;
function subjectOf(path: string): string {
  if (path.endsWith('kubectl-cheatsheet.md')) return 'kubernetes'; // planted in baking/ for the folder-outlier test
  return path.split('/')[1];
}

const SUBJECT_WORDS: Record<string, readonly string[]> = {
  baking: ['dough', 'bread', 'flour', 'sourdough', 'loaf', 'starter', 'oven'],
  kubernetes: ['kubectl', 'pods', 'pod', 'kubernetes', 'cluster', 'deployment', 'container'],
  running: ['marathon', 'run', 'running', 'pace', 'race', 'long'],
  beekeeping: ['hive', 'bees', 'bee', 'queen', 'colony', 'honey', 'brood', 'frames'],
  coffee: ['咖啡', '咖啡豆', '萃取', '烘焙', '研磨'],
  database: ['数据', '数据库', '索引', '查询', '事务'],
  garden: ['土壤', '菜园', '番茄', '植物', '浇水', '堆肥'],
  astronomy: ['观测', '望远镜', '星云', '星空', '星系'],
};

function ari(result: NoteClustering): number {
  const truth: string[] = [];
  const predicted: string[] = [];
  for (const t of result.topics) for (const m of t.members) {
    truth.push(subjectOf(m.path));
    predicted.push(String(t.id));
  }
  return adjustedRandIndex(truth, predicted);
}

/** The topic holding most notes of a subject. */
function topicOf(result: NoteClustering, subject: string) {
  let best = result.topics[0];
  let bestCount = -1;
  for (const t of result.topics) {
    const n = t.members.filter((m) => subjectOf(m.path) === subject).length;
    if (n > bestCount) [best, bestCount] = [t, n];
  }
  return best;
}

for (const set of ['notes-en', 'notes-zh'] as const) {
  describe(`clusterNotes on ${set}`, () => {
    const { input } = loadCorpus([set]);
    const subjects = set === 'notes-en' ? ['baking', 'kubernetes', 'running', 'beekeeping'] : ['coffee', 'database', 'garden', 'astronomy'];

    it('finds the four subjects back (ARI ≥ 0.8) with k chosen by silhouette', async () => {
      const result = await clusterNotes(input);
      assert.equal(result.topics.length, 4, result.topics.map((t) => t.label).join(' | '));
      assert.ok(ari(result) >= 0.8, `ARI ${ari(result)}`);
      assert.ok(result.silhouette !== undefined && result.silhouette > 0);
    });

    it('names each topic with words of its subject', async () => {
      const result = await clusterNotes(input);
      for (const subject of subjects) {
        const topic = topicOf(result, subject);
        const labelTerms = topic.label.split(' · ');
        assert.ok(labelTerms.length >= 3 && labelTerms.length <= 4, topic.label);
        assert.deepEqual(labelTerms, topic.keywords.slice(0, labelTerms.length));
        assert.ok(topic.keywords.length >= 8 && topic.keywords.length <= 10);
        assert.ok(labelTerms.some((w) => SUBJECT_WORDS[subject].includes(w)), `${subject}: ${topic.label}`);
        if (set === 'notes-zh') {
          // Chinese WORDS: at least two Han characters each, never single characters or Latin fragments.
          for (const w of topic.keywords) assert.match(w, /^\p{Script=Han}{2,}$/u, `${subject}: ${topic.keywords.join(' ')}`);
        }
      }
    });

    it('puts the planted off-topic note in outliers, and nothing else', async () => {
      const result = await clusterNotes(input);
      assert.deepEqual(result.outliers.map((o) => o.path), [OFF_TOPIC[set]]);
      const outlier = result.outliers[0];
      assert.ok(outlier.nearestTopic !== null && outlier.nearestTopic >= 0 && outlier.nearestTopic < result.topics.length);
      for (const t of result.topics) assert.ok(!t.members.some((m) => m.path === OFF_TOPIC[set]));
      assert.equal(result.notes, result.topics.reduce((n, t) => n + t.size, 0) + result.outliers.length);
    });

    it('orders members by closeness to the centroid; the representative is the closest', async () => {
      const result = await clusterNotes(input);
      for (const t of result.topics) {
        assert.equal(t.representative, t.members[0].path);
        assert.equal(t.size, t.members.length);
        for (let i = 1; i < t.members.length; i++) assert.ok(t.members[i - 1].score >= t.members[i].score);
        for (const m of t.members) assert.ok(m.score > 0 && m.score <= 1);
      }
      for (let i = 1; i < result.topics.length; i++) assert.ok(result.topics[i - 1].size >= result.topics[i].size);
    });

    it('is deterministic: same input → identical output, whatever the chunk order', async () => {
      const a = await clusterNotes(input);
      const b = await clusterNotes(input);
      const c = await clusterNotes(shuffled(input));
      assert.deepEqual(b, a);
      assert.deepEqual(c, a);
    });

    it('gives 2-D map coordinates in [-1, 1] that separate the topics', async () => {
      const result = await clusterNotes(input);
      const points = [...result.topics.flatMap((t) => t.members), ...result.outliers];
      for (const p of points) {
        assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y) && Math.abs(p.x) <= 1 && Math.abs(p.y) <= 1);
      }
      assert.ok(points.some((p) => p.x === 1 || p.y === 1), 'each axis is scaled so its extreme is +1');
    });
  });
}

describe('clusterNotes options and edge cases', () => {
  it('respects a fixed k', async () => {
    const { input } = loadCorpus(['notes-en']);
    const result = await clusterNotes(input, { k: 2 });
    assert.equal(result.k, 2);
    assert.equal(result.silhouette, undefined);
    assert.ok(result.topics.length <= 2);
  });

  it('only clusters files matching the notes globs', async () => {
    const { input } = loadCorpus(['notes-en', 'workspace-code']);
    const all = await clusterNotes(input);
    const onlyEn = await clusterNotes(input, { notesGlobs: ['notes-en/**/*.md'] });
    const paths = (r: NoteClustering) => [...r.topics.flatMap((t) => t.members), ...r.outliers].map((m) => m.path);
    assert.ok(!paths(all).some((p) => p.endsWith('.ts')), 'code files are not notes by default');
    assert.ok(paths(all).some((p) => p.startsWith('workspace-code/docs/')));
    assert.ok(paths(onlyEn).every((p) => p.startsWith('notes-en/')));
    assert.equal(onlyEn.notes, 27);
  });

  it('handles empty and tiny inputs without throwing', async () => {
    const { input } = loadCorpus(['notes-en']);
    const empty = await clusterNotes({ ...input, chunks: [], vectors: new Float32Array(0) });
    assert.deepEqual(empty.topics, []);
    assert.deepEqual(empty.outliers, []);
    const twoNotes = input.chunks.filter((c) => c.path.includes('/running/long-run-pacing'));
    const idx = twoNotes.map((c) => input.chunks.indexOf(c));
    const vectors = new Float32Array(idx.length * input.dims);
    idx.forEach((ci, r) => vectors.set(input.vectors.subarray(ci * input.dims, (ci + 1) * input.dims), r * input.dims));
    const small = await clusterNotes({ ...input, chunks: twoNotes, vectors });
    assert.equal(small.topics.length, 1);
    assert.equal(small.topics[0].size, 2);
  });
});

describe('clusterNotes and classifyText end to end: the DashScope embedder against the fake server over HTTP', () => {
  it('gets the same vectors, topics and tags as the in-process fake', async () => {
    const fake = await startFakeDashScope();
    try {
      const embedder = createDashScopeEmbedder({ apiKey: 'sk-analysis-test', baseUrl: fake.url, dimensions: EMBED_DIMS });
      for (const set of ['notes-en', 'notes-zh'] as const) {
        const local = loadCorpus([set]);
        const vectors = await embedder.embedDocuments(local.chunkTexts);
        const remote = loadCorpus([set], { vectors });
        assert.deepEqual(remote.input.vectors, local.input.vectors, 'the server serves exactly fakeEmbedding');
        const result = await clusterNotes(remote.input);
        assert.equal(result.topics.length, 4);
        assert.ok(ari(result) >= 0.8, `${set}: ARI ${ari(result)}`);
        assert.deepEqual(result.outliers.map((o) => o.path), [OFF_TOPIC[set]]);
      }
      const labels = [
        { label: 'baking', description: 'sourdough bread, dough, flour, loaf, oven' },
        { label: '数据库', description: '数据、索引、查询、事务、备份' },
      ];
      const embed = async (texts: readonly string[], as: EmbedAs) =>
        as === 'document' ? embedder.embedDocuments(texts) : Promise.all(texts.map((t) => embedder.embedQuery(t, as)));
      const { files } = loadCorpus(['notes-en', 'notes-zh']);
      for (const [p, want] of [['notes-en/baking/flour-types.md', 'baking'], ['notes-zh/database/transactions.md', '数据库']] as const) {
        const result = await classifyText(files.get(p)!, labels, { provider: 'dashscope', embed });
        assert.equal(result.labels[0].label, want, `${p}: ${JSON.stringify(result.labels)}`);
      }
      const queries = (fake.counters.lastBodies as { parameters?: Record<string, unknown> }[]).filter((b) => b.parameters?.text_type === 'query');
      assert.equal(queries.length, 2);
      assert.ok(queries.every((b) => b.parameters!.instruct === QUERY_INSTRUCTIONS.classification), 'texts go as classification queries');
    } finally {
      await fake.close();
    }
  });
});
