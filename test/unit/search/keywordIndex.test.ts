import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeywordIndex } from '../../../src/core/search/keywordIndex';
import { buildKeywordIndex, cjkCorpus, englishCorpus, names } from '../../fixtures/search/corpus';
import { makeSyntheticChunks } from '../../support/synthetic';

const en = buildKeywordIndex(englishCorpus);
const cjk = buildKeywordIndex(cjkCorpus);
const top = (index: KeywordIndex, corpus: typeof englishCorpus, q: string, k = 3): string[] => names(corpus, index.search(q, k));

test('camelCase, snake_case and split queries find the identifier', () => {
  for (const q of ['parseConfig', 'parse config', 'parse_config', 'ParseConfig']) assert.equal(top(en, englishCorpus, q)[0], 'parseConfig', q);
  for (const q of ['read_user_settings', 'readUserSettings', 'user settings']) assert.equal(top(en, englishCorpus, q)[0], 'readUserSettings', q);
  assert.equal(top(en, englishCorpus, 'HttpServer')[0], 'handleRequest');
});

test('a term in the symbol path outranks the same term only in the body', () => {
  // Both chunks say `split` twice in their text; only Tokenizer.split has it in its symbol.
  assert.deepEqual(top(en, englishCorpus, 'split', 2), ['tokenizerSymbol', 'runQuery']);
  assert.equal(top(en, englishCorpus, 'tokenizer')[0], 'tokenizerSymbol'); // symbol-only match
});

test('stemming matches inflected forms', () => {
  assert.equal(top(en, englishCorpus, 'indexed files')[0], 'indexFiles');
  assert.equal(top(en, englishCorpus, 'installation')[0], 'install');
  assert.equal(top(en, englishCorpus, 'directory listing')[0], 'listDirectory');
  assert.equal(top(en, englishCorpus, 'evicting least recently used entries')[0], 'lruEvict');
});

test('hits say which query words matched, as typed', () => {
  const [hit] = en.search('parseConfig', 1);
  assert.deepEqual(hit.terms, ['parseConfig']);
  const [h2] = en.search('indexed files', 1);
  assert.deepEqual(h2.terms, ['indexed', 'files']);
  assert.deepEqual(en.search('zzqx qqvv', 5), []);
});

test('Chinese queries find the chunk with the Chinese comment', () => {
  const hits = cjk.search('列出目录内容', 3);
  // Both chunks about listing a directory lead; the one with every query word says so.
  assert.deepEqual(names(cjkCorpus, hits).slice(0, 2).sort(), ['goListDir', 'lsDoc']);
  assert.deepEqual(hits.find((h) => names(cjkCorpus, [h])[0] === 'goListDir')!.terms, ['列出', '目录', '内容']);
  assert.equal(top(cjk, cjkCorpus, 'ls 列出目录')[0], 'lsDoc');
  assert.equal(top(cjk, cjkCorpus, '安装扩展')[0], 'installZh');
  assert.equal(top(cjk, cjkCorpus, '读取响应')[0], 'goHttp');
});

test('mixed query: an English identifier plus Chinese words', () => {
  const hits = cjk.search('parseConfig 配置', 3);
  assert.equal(names(cjkCorpus, hits)[0], 'goParseConfig');
  assert.deepEqual(hits[0].terms, ['parseConfig', '配置']);
  // The caller of parseConfig and the chunk about 配置 alone rank below.
  assert.ok(names(cjkCorpus, hits).slice(1).includes('goMain') || names(cjkCorpus, hits).slice(1).includes('tsLoadConfig'));
});

test('Japanese and Korean queries', () => {
  assert.equal(top(cjk, cjkCorpus, 'ディレクトリ一覧')[0], 'jaList');
  assert.equal(top(cjk, cjkCorpus, '設定ファイル')[0], 'jaConfig');
  assert.equal(top(cjk, cjkCorpus, '디렉터리 내용')[0], 'koList');
});

test('allow() filters inside the top-k', () => {
  const hits = en.search('split', 5, (id) => englishCorpus[id].name !== 'tokenizerSymbol');
  assert.equal(names(englishCorpus, hits)[0], 'runQuery');
  assert.ok(hits.every((h) => englishCorpus[h.id].name !== 'tokenizerSymbol'));
});

test('serialize → deserialize gives identical results', () => {
  const index = buildKeywordIndex([...englishCorpus, ...cjkCorpus]);
  index.remove(3);
  const bytes = index.serialize();
  assert.ok(bytes instanceof Uint8Array);
  const back = KeywordIndex.deserialize(bytes);
  assert.equal(back.size, index.size);
  for (const q of ['parseConfig 配置', 'split', 'user settings', '列出目录内容', 'ls', 'installation']) {
    assert.deepEqual(back.search(q, 10), index.search(q, 10), q);
  }
  assert.deepEqual(back.serialize(), bytes);
  assert.throws(() => KeywordIndex.deserialize(new Uint8Array([1, 2, 3, 4])));
});

test('remove, re-add and remap', () => {
  const index = buildKeywordIndex(englishCorpus);
  const id = englishCorpus.findIndex((c) => c.name === 'parseConfig');
  index.remove(id);
  assert.equal(index.has(id), false);
  assert.ok(!index.search('parseConfig', 10).some((h) => h.id === id));
  index.add(id, { text: 'function parseYaml() {}', symbol: 'parseYaml', path: 'src/yaml.ts' });
  assert.equal(index.search('parseYaml', 1)[0].id, id);
  assert.ok(!index.search('buildConfig', 10).some((h) => h.id === id), 'old postings of a re-added id are gone');
  // Replacing a live id directly also drops its old terms.
  index.add(id, { text: 'function parseToml() {}', symbol: 'parseToml', path: 'src/toml.ts' });
  assert.deepEqual(index.search('yaml', 10), []);

  // Drop ids 0 and 1, shift everything else down by two.
  const map = Int32Array.from(englishCorpus, (_, i) => (i < 2 ? -1 : i - 2));
  const before = index.search('least recently used', 1)[0];
  index.remap(map);
  assert.equal(index.size, englishCorpus.length - 2);
  assert.equal(index.search('least recently used', 1)[0].id, before.id - 2);
  assert.equal(index.has(englishCorpus.length - 2), false);
  assert.equal(id, 0);
  assert.deepEqual(index.search('parseToml', 5), [], 'the dropped chunk is gone');
  assert.equal(index.search('listDirectory', 1)[0].id, 0, 'listDirectory moved from id 2 to 0');
  assert.deepEqual(KeywordIndex.deserialize(index.serialize()).search('listDirectory', 3), index.search('listDirectory', 3));
});

test('ids may arrive in any order', () => {
  const a = KeywordIndex.empty();
  const b = KeywordIndex.empty();
  englishCorpus.forEach((c, i) => a.add(i, c));
  [...englishCorpus.keys()].reverse().forEach((i) => b.add(i, englishCorpus[i]));
  for (const q of ['split', 'parseConfig', 'files']) assert.deepEqual(b.search(q, 5), a.search(q, 5));
});

test('the serialized index is compact', () => {
  const chunks = makeSyntheticChunks(2000, 7);
  const index = KeywordIndex.empty();
  chunks.forEach((c, i) => index.add(i, c));
  const perChunk = index.serialize().length / chunks.length;
  assert.ok(perChunk < 600, `${perChunk.toFixed(0)} bytes per chunk`);
});

test('pruning common terms never changes the top k', () => {
  const chunks = makeSyntheticChunks(1500, 21);
  const index = KeywordIndex.empty();
  chunks.forEach((c, i) => index.add(i, c));
  for (let q = 0; q < 30; q++) {
    const words = chunks[(q * 37) % chunks.length].text.split(/\s+/).filter(Boolean);
    const query = [words[q % words.length], words[(q * 7) % words.length], words[(q * 13) % words.length]].join(' ');
    const all = index.search(query, chunks.length); // k ≥ candidates: nothing can be pruned
    for (const k of [1, 5, 10]) assert.deepEqual(index.search(query, k), all.slice(0, k), query);
    const allow = (id: number): boolean => id % 3 === 0;
    assert.deepEqual(index.search(query, 5, allow), all.filter((h) => allow(h.id)).slice(0, 5), query);
  }
});

test('format 2 (one term block) and the previous format 1 read back to the same index', () => {
  const chunks = makeSyntheticChunks(1500, 33);
  const index = KeywordIndex.empty();
  chunks.forEach((c, i) => index.add(i, c));
  [...englishCorpus, ...cjkCorpus].forEach((c, i) => index.add(chunks.length + i, c));
  index.remove(7);
  const v2 = index.serialize();
  const v1 = index.serialize(1);
  assert.equal(v2[3], 2);
  assert.equal(v1[3], 1);
  const a = KeywordIndex.deserialize(v2);
  const b = KeywordIndex.deserialize(v1);
  const queries = ['parseConfig 配置', 'split', 'user settings', '列出目录内容', 'installation', 'ディレクトリ一覧', 'zzqx'];
  for (let q = 0; q < 20; q++) queries.push(chunks[(q * 53) % chunks.length].text.split(/\s+/).filter(Boolean).slice(q % 5, (q % 5) + 3).join(' '));
  for (const q of queries) {
    const want = index.search(q, 10);
    assert.deepEqual(a.search(q, 10), want, q);
    assert.deepEqual(b.search(q, 10), want, q);
  }
  // Written back, both give format 2 again, byte for byte.
  assert.deepEqual(b.serialize(), v2);
  assert.deepEqual(a.serialize(), v2);
  // A loaded index looks terms up without a Map until it is changed; adding builds it and works.
  a.add(9000, { text: 'brandNewTerm and split', symbol: 'fresh', path: 'src/new.ts' });
  assert.equal(a.search('brandNewTerm', 1)[0].id, 9000);
  index.add(9000, { text: 'brandNewTerm and split', symbol: 'fresh', path: 'src/new.ts' });
  for (const q of ['split', 'brandNewTerm split', 'fresh', 'parseConfig']) assert.deepEqual(a.search(q, 10), index.search(q, 10), q);
});

test('a term containing a newline falls back to format 1 (still read)', () => {
  const index = KeywordIndex.empty();
  index.add(0, { text: 'alpha beta', symbol: '', path: 'a.ts' }, ['alpha', 'odd\nterm']);
  index.add(1, { text: 'beta gamma', symbol: '', path: 'b.ts' });
  const bytes = index.serialize();
  assert.equal(bytes[3], 1);
  const back = KeywordIndex.deserialize(bytes);
  for (const q of ['alpha', 'beta', 'gamma']) assert.deepEqual(back.search(q, 5), index.search(q, 5), q);
  assert.throws(() => KeywordIndex.deserialize(Uint8Array.from([0x53, 0x57, 0x4b, 0x09, 0])), /version/);
});

test('a matched Chinese compound is shown whole in "why it matched", its pieces are not', () => {
  const k = KeywordIndex.empty();
  k.add(0, { text: '为每篇笔记提取关键词并存入数据库', symbol: '', path: 'notes/keywords.md' });
  k.add(1, { text: '关键的一步：先备份', symbol: '', path: 'notes/backup.md' });
  const hits = k.search('提取关键词', 2);
  assert.equal(hits[0].id, 0);
  assert.deepEqual(hits[0].terms, ['提取', '关键词']);
});


test('a live update absorbed into a loaded index finds its new words, and the old words stay found', () => {
  const base = new KeywordIndex();
  base.add(0, { text: 'open the configuration file and parse it', symbol: 'parseConfig', path: 'src/config.ts' });
  base.add(1, { text: 'write log lines to the rotating file', symbol: 'writeLog', path: 'src/log.ts' });
  // A loaded index looks its terms up in the sorted dictionary (no Map is built)…
  const loaded = KeywordIndex.deserialize(base.serialize());
  const delta = new KeywordIndex();
  delta.add(0, { text: 'zebrafish 斑马鱼 habitat survey', symbol: 'surveyZebrafish', path: 'notes/zebra.md' });
  delta.add(1, { text: 'parse the rotating configuration again', symbol: 'reparse', path: 'src/reparse.ts' });
  loaded.absorb(delta, 2);
  // …and the update's new terms join beside it.
  assert.deepEqual(loaded.search('zebrafish survey', 3).map((h) => h.id), [2]);
  assert.deepEqual(loaded.search('斑马鱼', 3).map((h) => h.id), [2]);
  assert.deepEqual(loaded.search('parseConfig', 1).map((h) => h.id), [0]);
  assert.ok(loaded.search('rotating', 3).map((h) => h.id).sort().join() === '1,3');
  // Adding after absorbing (the dictionary becomes a Map) keeps every term reachable.
  loaded.add(4, { text: 'zebrafish again', symbol: 'again', path: 'notes/again.md' });
  assert.deepEqual(loaded.search('zebrafish', 5).map((h) => h.id).sort(), [2, 4]);
  assert.deepEqual(loaded.search('rotating log', 1).map((h) => h.id), [1]);
});

test('a copy taken in steps (a host opening the next generation) answers as the original and leaves it untouched', () => {
  const index = new KeywordIndex();
  // Enough distinct terms (letters only: digits would split a word) that the dictionary copy takes several steps.
  const word = (n: number) => `zq${n.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)])}k`;
  for (let id = 0; id < 1500; id++) {
    const words = Array.from({ length: 60 }, (_, k) => word(id * 60 + k)).join(' ');
    index.add(id, { text: `${words} shared words here`, symbol: `sym${id}`, path: `src/f${id}.ts` });
  }
  index.search('shared', 5);
  const steps = index.copySteps();
  let yields = 0;
  let r = steps.next();
  while (!r.done) {
    yields++;
    r = steps.next();
  }
  const copy = r.value;
  assert.ok(yields >= 5, `${yields} yields`);
  for (const q of [word(4242), 'shared words', 'sym77']) assert.deepEqual(copy.search(q, 10), index.search(q, 10));
  copy.add(5000, { text: `${word(4242)} appears again`, symbol: 'late', path: 'src/late.ts' });
  assert.equal(index.search(word(4242), 10).length, 1);
  assert.equal(copy.search(word(4242), 10).length, 2);
});

test('a shared view of a generation answers as a copy with the same row map, and cannot change what it shares', () => {
  const physical = new KeywordIndex();
  englishCorpus.forEach((c, i) => physical.add(i, c));
  physical.search('warm up', 1);
  // Physical rows → chunk rows: row 2 replaced (a tombstone), the rest shifted down.
  const rowOf = Int32Array.from(englishCorpus.keys(), (i) => (i === 2 ? -1 : i < 2 ? i : i - 1));
  const copy = physical.copy();
  copy.mapIds(rowOf);
  const view = physical.sharedView(rowOf)!;
  assert.ok(view);
  for (const c of englishCorpus.slice(0, 6)) {
    const q = c.symbol || c.text.split(/\s+/).slice(0, 3).join(' ');
    assert.deepEqual(view.search(q, 10), copy.search(q, 10));
    assert.equal(view.documentFrequency('the'), copy.documentFrequency('the'));
  }
  assert.throws(() => view.add(99, { text: 'new words', symbol: '', path: 'x.ts' }), /read-only/);
  assert.throws(() => view.serialize(), /read-only/);
  // The generation it shares is untouched: row 2 is still found there.
  assert.equal(physical.search(englishCorpus[2].symbol || englishCorpus[2].text, 50).some((h) => h.id === 2), true);
  // With removed ids a flush could rewrite the shared postings: no view then.
  const removed = physical.copy();
  removed.remove(1);
  assert.equal(removed.sharedView(rowOf), undefined);
});
