import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitIdentifier, stem, tokenize, tokenizeLabeled, tokenizeWords } from '../../../src/core/text/tokenize';

test('identifiers are split and also kept whole', () => {
  assert.deepEqual(splitIdentifier('parseHTTPHeader2'), ['parse', 'http', 'header', '2']);
  assert.deepEqual(tokenize('parseConfig'), ['parseconfig', 'pars', 'config']);
  assert.deepEqual(tokenize('read_user_settings'), ['read_user_settings', 'read', 'user', 'setting']);
});

test('light stemming joins inflections, -ation joins nouns to verbs', () => {
  assert.equal(stem('parsing'), stem('parse'));
  assert.equal(stem('parsed'), stem('parse'));
  assert.equal(stem('files'), stem('file'));
  assert.equal(stem('installation'), stem('install'));
  assert.equal(stem('configuration'), stem('configure'));
});

test('Chinese is segmented into words, without bigrams across word boundaries', () => {
  const terms = tokenize('列出目录内容');
  for (const w of ['列出', '目录', '内容']) assert.ok(terms.includes(w), w);
  for (const noise of ['出目', '录内']) assert.ok(!terms.includes(noise), noise);
  assert.deepEqual(tokenizeWords('列出目录内容'), ['列出', '目录', '内容']);
});

test('known compounds are kept whole and their parts are emitted too (search mode)', () => {
  // Intl.Segmenter splits all three (关键|词, 数据|库, 语|义): the compound is joined back.
  for (const [compound, parts] of [['关键词', ['关键']], ['数据库', ['数据', '库']], ['语义', ['语', '义']]] as const) {
    const terms = tokenize(compound);
    assert.ok(terms.includes(compound), `${compound} whole: ${terms.join(' ')}`);
    for (const p of parts) assert.ok(terms.includes(p), `${compound} part ${p}: ${terms.join(' ')}`);
  }
  // A query for the compound matches a text that has it inside a sentence, and a query for a part too.
  const sentence = tokenize('为文档提取关键词并存入数据库，支持语义搜索');
  for (const t of ['关键词', '关键', '数据库', '数据', '语义', '搜索']) assert.ok(sentence.includes(t), t);
});

test('Japanese and Korean are segmented too', () => {
  const ja = tokenize('ディレクトリの内容を一覧表示する');
  for (const w of ['ディレクトリ', '内容', '一覧', '表示']) assert.ok(ja.includes(w), w);
  const ko = tokenize('디렉터리 내용을 나열합니다');
  for (const w of ['디렉터리', '내용', '나열']) assert.ok(ko.includes(w), w);
});

test('tokenizeLabeled yields the same terms as tokenize, labelled as typed', () => {
  const q = 'ls 列出目录内容 关键词 parseConfig 配置 parsing files HTTPServer __init__ 설정 ファイル';
  assert.deepEqual(tokenizeLabeled(q).map((t) => t.term), tokenize(q));
  const byTerm = new Map(tokenizeLabeled(q).map((t) => [t.term, t]));
  assert.equal(byTerm.get('parseconfig')?.label, 'parseConfig');
  assert.equal(byTerm.get('parseconfig')?.whole, true);
  assert.equal(byTerm.get('fil')?.label, 'files');
  assert.equal(byTerm.get('目录')?.crossing, false);
  assert.equal(byTerm.get('关键词')?.crossing, true);
  assert.equal(byTerm.get('关键词')?.label, '关键词');
  const span = byTerm.get('目录')!;
  assert.equal(q.slice(span.start, span.end), '目录');
});
