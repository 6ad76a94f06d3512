import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuseRrf } from '../../../src/core/search/fusion';
import { compilePathGlob, makeAllow } from '../../../src/core/search/filters';
import { cjkCorpus, englishCorpus } from '../../fixtures/search/corpus';

test('RRF rewards agreement between lists', () => {
  const keyword = [{ id: 1, score: 9 }, { id: 2, score: 5 }, { id: 3, score: 1 }];
  const dense = [{ id: 2, score: 0.9 }, { id: 4, score: 0.8 }, { id: 1, score: 0.1 }];
  const fused = fuseRrf([keyword, dense]);
  assert.deepEqual(fused.map((f) => f.id), [2, 1, 4, 3]);
  assert.deepEqual(fused[0].ranks, [2, 1]);
  assert.deepEqual(fused[2].ranks, [undefined, 2]);
  assert.ok(Math.abs(fused[0].score - (1 / 62 + 1 / 61)) < 1e-12);
});

test('RRF weights, k and duplicates', () => {
  const a = [{ id: 1, score: 1 }, { id: 1, score: 1 }, { id: 2, score: 0 }];
  const b = [{ id: 3, score: 1 }];
  assert.deepEqual(fuseRrf([a, b], { weights: [3, 1] }).map((f) => f.id), [1, 2, 3]);
  assert.deepEqual(fuseRrf([a, b], { weights: [1, 3] }).map((f) => f.id), [3, 1, 2]);
  assert.deepEqual(fuseRrf([a, b]).find((f) => f.id === 2)?.ranks, [2, undefined]);
  assert.equal(fuseRrf([a], { k: 0 })[0].score, 1);
  assert.deepEqual(fuseRrf([]), []);
});

test('path globs use gitignore semantics', () => {
  const md = compilePathGlob('*.md');
  assert.equal(md('docs/install.md'), true);
  assert.equal(md('README.md'), true);
  assert.equal(md('src/a.ts'), false);
  const src = compilePathGlob('src/');
  assert.equal(src('src/http/server.ts'), true);
  assert.equal(src('lib/src.ts'), false);
  const deep = compilePathGlob('src/**/*.ts, !src/lang/**');
  assert.equal(deep('src/http/server.ts'), true);
  assert.equal(deep('src/lang/lexer.ts'), false);
  assert.equal(compilePathGlob('docs/说明.md')('docs/说明.md'), true);
});

test('allow() combines kind, language and path', () => {
  const chunks = [...englishCorpus, ...cjkCorpus];
  const ids = (f: Parameters<typeof makeAllow>[0]): string[] => {
    const allow = makeAllow(f, (id) => chunks[id]);
    return chunks.filter((_, id) => !allow || allow(id)).map((c) => c.name);
  };
  assert.equal(makeAllow({}, (id) => chunks[id]), undefined);
  assert.deepEqual(ids({ kind: 'doc' }), ['install', 'lsDoc', 'installZh']);
  assert.deepEqual(ids({ language: 'Go' }), ['goListDir', 'goParseConfig', 'goMain', 'goHttp']);
  assert.deepEqual(ids({ language: 'typescript', pathGlob: 'src/config/' }), ['parseConfig', 'tsLoadConfig']);
  assert.deepEqual(ids({ kind: 'code', pathGlob: '*.py' }), ['readUserSettings']);
  assert.equal(makeAllow({ kind: 'code' }, () => undefined)!(0), false);
});
