import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyText, collectFrontmatterTags, parseLabelsArg, parseLabelsFile, type EmbedAs, type LabelSpec } from '../../../src/core/analysis';
import { fakeEmbedder, loadCorpus } from './support';

const EN_LABELS: LabelSpec[] = [
  { label: 'baking', description: 'sourdough bread, dough, flour, loaf, oven' },
  { label: 'kubernetes', description: 'pods, kubectl, cluster, deployment, container' },
  { label: 'running', description: 'marathon training, long run, race pace' },
  { label: 'beekeeping', description: 'bees, hive, queen, colony, honey' },
];
const ZH_LABELS: LabelSpec[] = [
  { label: '咖啡', description: '咖啡豆、研磨、萃取、烘焙、手冲' },
  { label: '数据库', description: '数据、索引、查询、事务、备份' },
  { label: '园艺', description: '菜园、土壤、番茄、浇水、施肥' },
  { label: '天文', description: '望远镜、观测、星云、星空、星系' },
];
const SUBJECT_LABEL: Record<string, string> = {
  baking: 'baking', kubernetes: 'kubernetes', running: 'running', beekeeping: 'beekeeping',
  coffee: '咖啡', database: '数据库', garden: '园艺', astronomy: '天文',
};

for (const [set, labels] of [['notes-en', EN_LABELS], ['notes-zh', ZH_LABELS]] as const) {
  describe(`classifyText on ${set}`, () => {
    const { files } = loadCorpus([set]);
    const notes = [...files].filter(([p]) => !p.includes('/misc/') && !p.endsWith('kubectl-cheatsheet.md'));

    for (const provider of ['dashscope', 'offline'] as const) {
      it(`tags every fixture note with its intended label (${provider})`, async () => {
        const { embed } = fakeEmbedder();
        for (const [path, text] of notes) {
          const result = await classifyText(text, labels, { provider, embed });
          assert.equal(result.labels[0].label, SUBJECT_LABEL[path.split('/')[1]], `${path}: ${JSON.stringify(result.labels)}`);
          assert.equal(result.mode, provider === 'offline' ? 'keyword-overlap' : 'embedding');
        }
      });
    }
  });
}

describe('classifyText scoring', () => {
  const text = 'Feed the sourdough starter with rye flour, then mix the bread dough and bake the loaf in the oven.';

  it('returns every label ranked, with independent confidences and the threshold used', async () => {
    const { embed } = fakeEmbedder();
    const result = await classifyText(text, EN_LABELS, { provider: 'dashscope', embed, threshold: 0.15 });
    assert.equal(result.labels.length, EN_LABELS.length);
    assert.equal(result.threshold, 0.15);
    for (let i = 1; i < result.labels.length; i++) assert.ok(result.labels[i - 1].score >= result.labels[i].score);
    for (const l of result.labels) {
      assert.ok(l.confidence >= 0 && l.confidence <= 1);
      assert.equal(l.matched, l.score >= result.threshold);
      assert.equal(l.confidence >= 0.5, l.matched);
    }
    assert.equal(result.labels[0].label, 'baking');
    assert.ok(result.labels[0].confidence > 0.5 && result.labels[result.labels.length - 1].confidence < 0.5);
    assert.equal(result.labels[0].description, EN_LABELS[0].description);
  });

  it('does not make labels compete: adding labels leaves the other scores unchanged', async () => {
    const { embed } = fakeEmbedder();
    const few = await classifyText(text, EN_LABELS.slice(0, 2), { provider: 'dashscope', embed });
    const many = await classifyText(text, [...EN_LABELS, { label: 'bread', description: 'baking bread loaves' }], { provider: 'dashscope', embed });
    for (const l of few.labels) assert.deepEqual(many.labels.find((m) => m.label === l.label), l);
    // Two labels can both be confident: not a softmax.
    const both = many.labels.filter((l) => l.label === 'baking' || l.label === 'bread');
    assert.ok(both.every((l) => l.confidence > 0.5) || both.reduce((s, l) => s + l.confidence, 0) !== 1);
  });

  it('embeds the text as a classification query and labels as documents, caching label vectors', async () => {
    const seen: string[] = [];
    const { embed, calls } = fakeEmbedder();
    const spy = async (texts: readonly string[], as: EmbedAs) => {
      seen.push(as);
      return embed(texts, as);
    };
    const cache = new Map<string, Float32Array>();
    await classifyText(text, EN_LABELS, { provider: 'dashscope', embed: spy, labelCache: cache });
    assert.deepEqual(seen, ['classification', 'document']);
    assert.deepEqual(calls[1], EN_LABELS.map((l) => `${l.label}: ${l.description}`));
    assert.equal(cache.size, 4);
    await classifyText('another text', EN_LABELS, { provider: 'dashscope', embed: spy, labelCache: cache });
    assert.equal(calls.length, 3, 'second call embeds only the text');
    await classifyText(text, [{ label: 'baking', description: 'changed description' }], { provider: 'dashscope', embed: spy, labelCache: cache });
    assert.deepEqual(calls[4], ['baking: changed description'], 'a changed description is a new cache entry');
  });

  it('offline mode blends keyword overlap (visible in `mode`) and handles Chinese labels', async () => {
    const { embed } = fakeEmbedder();
    const result = await classifyText('这台望远镜适合观测星云和行星。', ZH_LABELS, { provider: 'offline', embed });
    assert.equal(result.mode, 'keyword-overlap');
    assert.equal(result.labels[0].label, '天文');
    assert.ok(result.labels[0].matched);
    assert.ok(result.labels.slice(1).every((l) => !l.matched));
  });

  it('offline keyword overlap never claims certainty: confidence stays within (0.1, 0.9)', async () => {
    const labels = [{ label: 'sourdough', description: 'bread starter flour' }, { label: 'telescope' }];
    const result = await classifyText('sourdough bread starter flour sourdough', labels, { provider: 'offline', embed: fakeEmbedder().embed });
    const [top, bottom] = result.labels;
    assert.equal(top.label, 'sourdough');
    assert.ok(top.matched && top.confidence > 0.5 && top.confidence <= 0.9, String(top.confidence));
    assert.ok(!bottom.matched && bottom.confidence < 0.5 && bottom.confidence >= 0.1, String(bottom.confidence));
  });

  it('handles no labels', async () => {
    const { embed, calls } = fakeEmbedder();
    const result = await classifyText(text, [], { provider: 'dashscope', embed });
    assert.deepEqual(result.labels, []);
    assert.equal(calls.length, 0);
  });
});

describe('label sources', () => {
  it('parseLabelsArg splits on ASCII, full-width and enumeration commas', () => {
    assert.deepEqual(parseLabelsArg('a,b，c'), [{ label: 'a' }, { label: 'b' }, { label: 'c' }]);
    assert.deepEqual(parseLabelsArg(' bug , 功能，文档、测试,, Bug '), [{ label: 'bug' }, { label: '功能' }, { label: '文档' }, { label: '测试' }]);
  });

  it('parseLabelsFile reads one label per line with optional descriptions (ASCII or full-width colon)', () => {
    const file = '\uFEFF# taxonomy\r\nbug: something is broken\r\n\r\n数据库：索引、查询和事务\r\n- feature\r\n// comment\r\n#idea\r\nurl: see http://example.com\r\n';
    assert.deepEqual(parseLabelsFile(file), [
      { label: 'bug', description: 'something is broken' },
      { label: '数据库', description: '索引、查询和事务' },
      { label: 'feature' },
      { label: 'idea' },
      { label: 'url', description: 'see http://example.com' },
    ]);
  });

  it('collectFrontmatterTags gathers the tags notes already use, most used first', () => {
    const notes = [
      '---\ntags: [rust, 数据库]\n---\nbody',
      '---\r\ntags:\r\n  - Rust\r\n  - "#cli"\r\n---\r\n',
      '---\ntags: notes, ideas\n---\n',
      '---\ntitle: no tags\n---\n',
      'no frontmatter at all',
      '---\ntags: [unclosed\n---\n',
    ];
    assert.deepEqual(collectFrontmatterTags(notes), ['rust', 'cli', 'ideas', 'notes', '数据库']);
  });
});
