import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripBraceDocs, stripPythonDocs } from '../../../bench/quality/codeDocs';
import { baselineTokenizer, perQuery, ratio, summarize } from '../../../bench/quality/metrics';

test('CodeSearchNet extraction: the doc comment leaves the indexed copy, its first sentence is the query, the body the answer', () => {
  const go = ['package x', '', '// Reverse returns the runes of s in reverse order. It allocates.', 'func Reverse(s string) string {', '\treturn s', '}', ''].join('\n');
  const g = stripBraceDocs(go, 'go', 'x.go');
  assert.ok(!g.text.includes('reverse order'));
  assert.deepEqual(g.queries.map((q) => [q.query, q.answer.startLine, q.answer.endLine]), [['returns the runes of s in reverse order.', 3, 5]]);
  const java = ['class A {', '    /**', '     * Writes a {@code long} to the stream as eight bytes.', '     * @param v the value', '     */', '    @Override', '    public final void writeLong(long v) {', '        out.write(v);', '    }', '}'].join('\n');
  const j = stripBraceDocs(java, 'java', 'A.java');
  assert.equal(j.queries[0].query, 'Writes a long to the stream as eight bytes.');
  assert.match(j.text.split('\n')[j.queries[0].answer.startLine - 1], /writeLong/);
  const rust = ['/// Allocate memory with the global allocator.', '#[inline]', 'pub unsafe fn alloc(layout: Layout) -> *mut u8 {', '    0', '}'].join('\n');
  assert.equal(stripBraceDocs(rust, 'rust', 'a.rs').queries[0].query, 'Allocate memory with the global allocator.');
  const py = ['def load(path):', '    """Read the settings file and return a dict.', '', '    More text.', '    """', '    with open(path) as f:', '        return parse(f)', '', 'x = 1'].join('\n');
  const p = stripPythonDocs(py, 'a.py');
  assert.ok(!p.text.includes('settings file'));
  assert.deepEqual([p.queries[0].query, p.queries[0].answer.startLine, p.queries[0].answer.endLine], ['Read the settings file and return a dict.', 1, 3]);
});

test('metrics: reciprocal rank / hit / nDCG per query, reproducible bootstrap intervals, paired ratios', () => {
  const answers = [{ path: 'a', startLine: 1, endLine: 5 }, { path: 'b', startLine: 1, endLine: 5 }];
  const q = perQuery([[{ path: 'x', startLine: 1, endLine: 2 }, { path: 'a', startLine: 4, endLine: 9 }], [{ path: 'c', startLine: 1, endLine: 2 }]], answers);
  assert.deepEqual([...q.rr], [0.5, 0]);
  assert.deepEqual([...q.hit], [1, 0]);
  assert.ok(Math.abs(q.ndcg[0] - 1 / Math.log2(3)) < 1e-12);
  const s = summarize(q);
  assert.equal(s.mrr, 0.25);
  assert.ok(s.ci.mrr[0] <= s.mrr && s.mrr <= s.ci.mrr[1]);
  assert.deepEqual(summarize(q).ci, s.ci);
  const same = ratio(q.rr, q.rr);
  assert.equal(same.value, 1);
  assert.deepEqual(baselineTokenizer('parseHTTPHeader 42 数据库'), ['parse', 'http', 'header', '42', '数据', '据库']);
});
