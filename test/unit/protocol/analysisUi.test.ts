/**
 * The pure logic behind the extension's analysis UI: label merging, the Markdown topic report,
 * the Related lists (MRU, pins, hides), the multi-root analysis space, and the new message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterNotes, findDuplicates, relatedFiles } from '../../../src/core/analysis';
import type { AnalysisInput } from '../../../src/core/engineTypes';
import type { ChunkInfo } from '../../../src/core/types';
import type { TopicsView } from '../../../src/protocol/messages';
import { validateFromWebview } from '../../../src/protocol/validate';
import { buildSpace, prefixGlobs } from '../../../src/extension/analysisSpace';
import { countSources, mergeLabels } from '../../../src/extension/labelSources';
import { addHidden, parseRefKey, pushRecent, recentWeights, refKey, removeHidden, setPinned } from '../../../src/extension/recentFiles';
import { escapeMarkdown, renderTopicReport, topicTagName, type ReportStrings } from '../../../src/extension/topicReport';

describe('label sources', () => {
  it('merges setting, file and frontmatter labels case-insensitively, first spelling wins', () => {
    const merged = mergeLabels({
      setting: [{ label: 'Bug' }, { label: 'docs', description: 'documentation' }],
      file: [{ label: 'bug', description: 'something is broken' }, { label: '性能', description: '速度' }, { label: 'DOCS', description: 'ignored' }],
      frontmatter: [{ label: '#ideas' }, { label: '性能' }, { label: ' ' }],
    });
    assert.deepEqual(merged, [
      { label: 'Bug', source: 'setting', description: 'something is broken' },
      { label: 'docs', source: 'setting', description: 'documentation' },
      { label: '性能', source: 'file', description: '速度' },
      { label: 'ideas', source: 'frontmatter' },
    ]);
    assert.deepEqual(countSources(merged), { setting: 2, file: 1, frontmatter: 1 });
  });

  it('returns nothing when no source has labels', () => {
    assert.deepEqual(mergeLabels({ setting: [], file: [], frontmatter: [] }), []);
  });
});

const strings: ReportStrings = {
  title: 'Topics of {0}', summary: '{0} topics over {1} notes.', offlineNote: 'Offline vectors.', keywords: 'Keywords',
  representative: 'Representative note', notes: '{0} notes', note: 'Note', outliers: 'Outliers', outliersNote: 'Fit no topic.',
  nearest: 'nearest topic', score: 'similarity',
};
const view: TopicsView = {
  topics: [{
    id: 0, name: 'index · search', terms: ['index', 'search', 'bm25'], size: 2, representative: 'notes/a b.md',
    members: [
      { folder: 'f', path: 'notes/a b.md', title: 'notes/a b.md', score: 0.91234 },
      { folder: 'f', path: 'notes/c_d.md', title: 'notes/c_d.md', score: 0.8 },
    ],
  }],
  outliers: [{ folder: 'f', path: 'misc/x.md', title: 'misc/x.md', score: 0.1, nearest: 'index · search' }],
  points: [], notes: 3, offline: true,
};

describe('topic report', () => {
  it('renders topics, members with scores, the offline note and the outlier group', () => {
    const md = renderTopicReport(view, 'ws', strings);
    assert.match(md, /^# Topics of ws\n\n1 topics over 3 notes\.\n\n> Offline vectors\.\n/);
    assert.match(md, /## index · search \(2 notes\)/);
    assert.match(md, /- \*\*Keywords:\*\* index, search, bm25/);
    assert.match(md, /- \*\*Representative note:\*\* \[notes\/a b\.md\]\(<notes\/a b\.md>\)/);
    assert.match(md, /\| 1 \| \[notes\/a b\.md\]\(<notes\/a b\.md>\) \| 0\.912 \|/);
    assert.match(md, /\| 2 \| \[notes\/c\\_d\.md\]\(<notes\/c_d\.md>\) \| 0\.800 \|/);
    assert.match(md, /## Outliers \(1\)\n\nFit no topic\.\n\n- \[misc\/x\.md\]\(<misc\/x\.md>\) \(similarity 0\.100\) — nearest topic: index · search\n$/);
  });

  it('omits the offline note for remote vectors and escapes Markdown in names', () => {
    const md = renderTopicReport({ ...view, offline: false, topics: [{ ...view.topics[0]!, name: '*bold* [x]' }] }, 'ws', strings);
    assert.doesNotMatch(md, /Offline vectors/);
    assert.match(md, /## \\\*bold\\\* \\\[x\\\]/);
    assert.equal(escapeMarkdown('a_b|c'), 'a\\_b\\|c');
  });

  it('turns a topic label into a tag', () => {
    assert.equal(topicTagName('index · search · bm25'), 'index-search-bm25');
    assert.equal(topicTagName('数据库 · 索引'), '数据库-索引');
    assert.equal(topicTagName('rate limit · #retry'), 'rate-limit-retry');
  });
});

describe('related lists (MRU, pins, hides)', () => {
  it('keeps an MRU of at most 10, most recent first, without duplicates', () => {
    let mru: string[] = [];
    for (let i = 0; i < 12; i++) mru = pushRecent(mru, `k${i}`);
    assert.equal(mru.length, 10);
    assert.deepEqual(mru.slice(0, 2), ['k11', 'k10']);
    mru = pushRecent(mru, 'k5');
    assert.deepEqual(mru.slice(0, 2), ['k5', 'k11']);
    assert.equal(mru.filter((k) => k === 'k5').length, 1);
    const w = recentWeights(['a', 'b', 'c', 'd']);
    assert.equal(w[0]!.weight, 1);
    assert.ok(Math.abs(w[3]!.weight - 0.5) < 1e-9, 'halves every three files');
  });

  it('pins in order, unpins, and hides (bounded)', () => {
    let pins = setPinned([], 'a', true);
    pins = setPinned(pins, 'b', true);
    pins = setPinned(pins, 'a', true);
    assert.deepEqual(pins, ['b', 'a']);
    assert.deepEqual(setPinned(pins, 'b', false), ['a']);
    let hidden = addHidden(['x'], 'y', 2);
    hidden = addHidden(hidden, 'z', 2);
    assert.deepEqual(hidden, ['y', 'z']);
    assert.deepEqual(removeHidden(hidden, 'y'), ['z']);
  });

  it('round-trips folder|path keys (a path may contain "|")', () => {
    const key = refKey({ folder: 'file:///ws', path: 'a|b.md' });
    assert.deepEqual(parseRefKey(key), { folder: 'file:///ws', path: 'a|b.md' });
    assert.equal(parseRefKey('nope'), undefined);
  });
});

function chunk(path: string, i = 0): ChunkInfo {
  return { path, startLine: 1 + i * 10, endLine: 10 + i * 10, kind: path.endsWith('.md') ? 'doc' : 'code', language: path.endsWith('.md') ? 'markdown' : 'typescript', symbol: '', hash: `${path}${i}`, tokens: 50 };
}

function input(provider: AnalysisInput['provider'], rows: { path: string; v: number[]; text?: string }[]): AnalysisInput {
  const dims = rows[0]!.v.length;
  const chunks = rows.map((r) => chunk(r.path));
  const texts = new Map(chunks.map((c, i) => [c, rows[i]!.text ?? rows[i]!.path]));
  return { chunks, dims, provider, vectors: Float32Array.from(rows.flatMap((r) => r.v)), readText: async (c) => texts.get(c) };
}

describe('analysis space (multi-root)', () => {
  it('uses paths as they are in a single folder', () => {
    const a = input('offline', [{ path: 'x.md', v: [1, 0] }]);
    const space = buildSpace([{ key: 'file:///a', name: 'a', label: 'offline', input: a }]);
    assert.equal(space.parts.length, 1);
    assert.equal(space.parts[0]!.input.chunks[0]!.path, 'x.md');
    assert.equal(space.display('file:///a', 'x.md'), 'x.md');
    assert.deepEqual(space.toRef('x.md'), { folder: 'file:///a', path: 'x.md' });
  });

  it('merges comparable remote folders with prefixed paths; readText reaches the original chunk', async () => {
    const a = input('dashscope', [{ path: 'n/x.md', v: [1, 0, 0], text: 'alpha' }, { path: 'src/y.ts', v: [0, 1, 0] }]);
    const b = input('dashscope', [{ path: 'n/x.md', v: [0.99, 0.1, 0], text: 'beta' }]);
    const space = buildSpace([
      { key: 'file:///a', name: 'api', label: 'text-embedding-v4 · 3', input: a },
      { key: 'file:///b', name: 'api', label: 'text-embedding-v4 · 3', input: b },
    ]);
    assert.equal(space.parts.length, 1, 'same model and dims: one merged part');
    const merged = space.parts[0]!.input;
    assert.deepEqual(merged.chunks.map((c) => c.path), ['api/n/x.md', 'api/src/y.ts', 'api (2)/n/x.md']);
    assert.equal(await merged.readText(merged.chunks[2]!), 'beta');
    assert.deepEqual(space.toRef('api (2)/n/x.md'), { folder: 'file:///b', path: 'n/x.md' });
    assert.equal(space.display('file:///b', 'n/x.md'), 'api (2)/n/x.md');
    // Related files cross folders in the merged space.
    const r = relatedFiles(merged, 'api/n/x.md');
    assert.equal(r.results[0]!.path, 'api (2)/n/x.md');
  });

  it('readText also serves any span of a known file by its display path (whole notes, for Find Duplicates)', async () => {
    const byPath = (texts: Record<string, string>, base: AnalysisInput): AnalysisInput => ({
      ...base,
      readText: async (c) => texts[c.path]?.split('\n').slice(c.startLine - 1, c.endLine).join('\n'),
    });
    const a = byPath({ 'n/x.md': 'one\ntwo\nthree' }, input('dashscope', [{ path: 'n/x.md', v: [1, 0] }]));
    const b = byPath({ 'n/x.md': 'uno\ndos' }, input('dashscope', [{ path: 'n/x.md', v: [0, 1] }]));
    const merged = buildSpace([
      { key: 'file:///a', name: 'a', label: 'v4', input: a },
      { key: 'file:///b', name: 'b', label: 'v4', input: b },
    ]).parts[0]!.input;
    const whole = { ...merged.chunks[1]!, startLine: 1, endLine: 2 }; // not a chunk of the index
    assert.equal(whole.path, 'b/n/x.md');
    assert.equal(await merged.readText(whole), 'uno\ndos');
    assert.equal(await merged.readText({ ...whole, path: 'c/n/x.md' }), undefined);
  });

  it('keeps offline folders apart (each has its own LSA basis) and prefixes anchored globs', async () => {
    const a = input('offline', [{ path: 'notes/x.md', v: [1, 0] }]);
    const b = input('offline', [{ path: 'notes/y.md', v: [1, 0] }]);
    const space = buildSpace([
      { key: 'file:///a', name: 'a', label: 'offline', input: a },
      { key: 'file:///b', name: 'b', label: 'offline', input: b },
    ]);
    assert.equal(space.parts.length, 2);
    assert.deepEqual(space.parts.map((p) => p.folders), [['file:///a'], ['file:///b']]);
    assert.deepEqual(space.globs(['**/*.md', 'notes/**', '!notes/private/**']), ['**/*.md', 'a/notes/**', 'b/notes/**', '!a/notes/private/**', '!b/notes/private/**']);
    assert.deepEqual(prefixGlobs(['*.txt', 'docs/'], ['x']), ['*.txt', 'docs/']);
    // The core runs unchanged over a re-pathed part.
    const d = await findDuplicates(space.parts[0]!.input);
    assert.deepEqual(d.pairs, []);
    const c = await clusterNotes(space.parts[1]!.input, { notesGlobs: space.globs(['notes/**']) });
    assert.equal(c.notes + c.outliers.length >= 1, true);
  });
});

describe('addTopicTag message', () => {
  it('accepts a topic id with an optional ref and rejects bad ids', () => {
    const ok = validateFromWebview({ type: 'addTopicTag', topic: 3, ref: { folder: 'file:///ws', path: 'a.md' }, extra: 1 });
    assert.ok(ok.ok);
    assert.deepEqual(ok.value, { type: 'addTopicTag', topic: 3, ref: { folder: 'file:///ws', path: 'a.md' } });
    assert.deepEqual(validateFromWebview({ type: 'addTopicTag', topic: 0 }), { ok: true, value: { type: 'addTopicTag', topic: 0 } });
    for (const topic of [-1, 1.5, '2', 1e9]) assert.equal(validateFromWebview({ type: 'addTopicTag', topic }).ok, false);
    assert.equal(validateFromWebview({ type: 'runCommand', command: 'exportTopicReport' }).ok, true);
  });
});
