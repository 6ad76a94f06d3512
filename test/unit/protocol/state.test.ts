import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResultItem, StatusInfo, Strings, TagsView } from '../../../src/protocol/messages';
import { highlightParts } from '../../../src/webview/highlight';
import { initialState, persisted, reduce, restore } from '../../../src/webview/state';

const status: StatusInfo = { state: 'ready', provider: 'offline', label: 'offline', chunks: 3, files: 1, restricted: false };
const item = (path: string): ResultItem => ({
  folder: 'file:///ws', folderName: 'ws', path, startLine: 1, endLine: 2, kind: 'code', language: 'typescript', symbol: '', score: 1, snippet: '', terms: [],
});
const tags: TagsView = {
  target: { folder: 'file:///ws', path: 'a.md' }, title: 'a.md',
  scores: [
    { label: 'bug', score: 0.8, confidence: 0.99, matched: true, checked: true },
    { label: 'docs', score: 0.2, confidence: 0.01, matched: false, checked: false },
  ],
  threshold: 0.45,
  mode: 'embedding',
  sources: { setting: 2, file: 0, frontmatter: 0 },
};

describe('sidebar reducer', () => {
  it('drops a stale search reply and keeps the newest', () => {
    let s = reduce(initialState, { type: 'searching', id: 1 });
    s = reduce(s, { type: 'searching', id: 2 });
    const late = reduce(s, { type: 'searchDone', id: 1, query: 'old', items: [item('old.ts')] });
    assert.equal(late, s, 'a reply for an older id changes nothing');
    s = reduce(s, { type: 'searchDone', id: 2, query: 'new', items: [item('a.ts'), item('b.ts')] });
    assert.deepEqual(s.results.map((r) => r.path), ['a.ts', 'b.ts']);
    assert.equal(s.pendingId, undefined);
    assert.equal(s.selected, 0);
    assert.equal(reduce(s, { type: 'searchFailed', id: 1, error: 'x' }), s);
  });

  it('keeps a reply\'s note (a failed rerank) with its results, and drops it with the next reply or a clear', () => {
    let s = reduce(reduce(initialState, { type: 'searching', id: 1 }), { type: 'searchDone', id: 1, query: 'q', items: [item('a.ts')], note: 'Rerank failed, showing first-stage order: timeout' });
    assert.equal(s.note, 'Rerank failed, showing first-stage order: timeout');
    s = reduce(reduce(s, { type: 'searching', id: 2 }), { type: 'searchDone', id: 2, query: 'q2', items: [item('b.ts')] });
    assert.equal(s.note, undefined, 'a reranked reply has no note');
    s = reduce(reduce(s, { type: 'searching', id: 3 }), { type: 'searchDone', id: 3, query: 'q3', items: [], note: 'n' });
    assert.equal(reduce(s, { type: 'clear' }).note, undefined);
  });

  it('"the first index is being built" is kept as waiting (not "no results") until a real answer or a clear', () => {
    let s = reduce(reduce(initialState, { type: 'searching', id: 1 }), { type: 'searchDone', id: 1, query: 'q', items: [], note: 'The first index of this workspace is being built; search works once it is complete.', waiting: true });
    assert.equal(s.waiting, true);
    assert.equal(s.error, undefined, 'not an error');
    s = reduce(reduce(s, { type: 'searching', id: 2 }), { type: 'searchDone', id: 2, query: 'q', items: [] });
    assert.ok(!s.waiting, 'an answer from the built index is a real "no results"');
    s = reduce(reduce(s, { type: 'searching', id: 3 }), { type: 'searchDone', id: 3, query: 'q', items: [], note: 'n', waiting: true });
    assert.ok(!reduce(s, { type: 'clear' }).waiting);
  });

  it('clamps keyboard selection to the results', () => {
    let s = reduce(reduce(initialState, { type: 'searching', id: 1 }), { type: 'searchDone', id: 1, query: 'q', items: [item('a'), item('b')] });
    s = reduce(s, { type: 'select', index: 5 });
    assert.equal(s.selected, 1);
    s = reduce(s, { type: 'select', index: -3 });
    assert.equal(s.selected, 0);
    assert.equal(reduce(initialState, { type: 'select', index: 0 }).selected, -1, 'nothing to select');
  });

  it('records a failed search as an error with no results', () => {
    const s = reduce(reduce(initialState, { type: 'searching', id: 7 }), { type: 'searchFailed', id: 7, error: 'no index' });
    assert.equal(s.error, 'no index');
    assert.deepEqual(s.results, []);
  });

  it('init brings strings/status and keeps analysis views already shown', () => {
    let s = reduce(initialState, { type: 'tags', view: tags });
    s = reduce(s, { type: 'check', label: 'docs', checked: true });
    s = reduce(s, { type: 'init', version: 1, strings: {} as Strings, folders: [{ key: 'k', name: 'ws' }], status });
    assert.equal(s.status, status);
    assert.equal(s.tags, tags);
    assert.equal(s.tagChecks.docs, true);
  });

  it('new tags reset the checkboxes to the suggested ones and expand the section', () => {
    let s = reduce(initialState, { type: 'toggle', section: 'tags' });
    assert.equal(s.collapsed.tags, true);
    s = reduce(s, { type: 'tags', view: tags });
    assert.deepEqual(s.tagChecks, { bug: true, docs: false });
    assert.equal(s.collapsed.tags, false);
  });

  it('setQuery from the extension fills the box and expands results', () => {
    const s = reduce(reduce(initialState, { type: 'toggle', section: 'results' }), { type: 'setQuery', query: 'find me' });
    assert.equal(s.query, 'find me');
    assert.equal(s.collapsed.results, false);
  });

  it('persists and restores the UI state, tolerating garbage', () => {
    let s = reduce(initialState, { type: 'query', query: 'q' });
    s = reduce(s, { type: 'filter', filter: { kind: 'doc', glob: 'notes/', language: '' } });
    const back = restore(JSON.parse(JSON.stringify(persisted(s))));
    assert.equal(back.query, 'q');
    assert.deepEqual(back.filter, { kind: 'doc', glob: 'notes/', language: '' });
    assert.deepEqual(restore(null), initialState);
    assert.deepEqual(restore({ query: 5, filter: { kind: 'evil' } }).filter, initialState.filter);
  });
});

describe('highlightParts', () => {
  it('marks terms case-insensitively, longest first', () => {
    const parts = highlightParts('Index the indexing Queue', ['index', 'indexing', 'queue']);
    assert.deepEqual(parts.filter((p) => p.match).map((p) => p.text), ['Index', 'indexing', 'Queue']);
    assert.equal(parts.map((p) => p.text).join(''), 'Index the indexing Queue');
  });

  it('treats terms as text, not regular expressions', () => {
    assert.deepEqual(highlightParts('a.b axb', ['a.b']).filter((p) => p.match).map((p) => p.text), ['a.b']);
  });

  it('highlights CJK terms and ignores one-letter ASCII noise', () => {
    assert.deepEqual(highlightParts('重试逻辑 a b', ['重试', 'a']).filter((p) => p.match).map((p) => p.text), ['重试']);
    assert.deepEqual(highlightParts('plain', []), [{ text: 'plain', match: false }]);
  });

  it('follows state: a provider switch clears topics and tags; staleness keeps the checkboxes and does not re-expand', () => {
    const topics = { topics: [], outliers: [], points: [], notes: 3, offline: true };
    let s = reduce(reduce(initialState, { type: 'topics', view: topics }), { type: 'tags', view: tags });
    s = reduce(s, { type: 'check', label: 'docs', checked: true });
    s = reduce(s, { type: 'toggle', section: 'tags' });
    const staleTags = reduce(s, { type: 'tags', view: { ...tags, stale: true } });
    assert.equal(staleTags.tags?.stale, true);
    assert.equal(staleTags.tagChecks.docs, true, 'the user\'s checks survive a staleness change');
    assert.equal(staleTags.collapsed.tags, true, 'a staleness change does not expand the section');
    s = reduce(s, { type: 'toggle', section: 'topics' });
    assert.equal(reduce(s, { type: 'topics', view: { ...topics, stale: true } }).collapsed.topics, true);
    const cleared = reduce(s, { type: 'clearResults', sections: ['topics', 'tags'] });
    assert.equal(cleared.topics, undefined);
    assert.equal(cleared.tags, undefined);
    assert.deepEqual(cleared.tagChecks, {});
    assert.equal(reduce(s, { type: 'clearResults', sections: ['tags'] }).topics, s.topics, 'only the named sections go');
    assert.equal(reduce(s, { type: 'refreshSearch' }), s);
  });
});
