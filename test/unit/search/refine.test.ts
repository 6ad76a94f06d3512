/**
 * Hybrid search's query-time refinements (core/search/refine.ts through rank.ts, the one ranking
 * function): pseudo-relevance feedback, identifier proximity, page aggregation and the Rocchio
 * dense query — each asserted as a ranking a person would notice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankSearch } from '../../../src/core/search/rank';
import { RANK_POLICY, policyOff, type RankPolicy } from '../../../src/core/search/rankPolicy';
import { fileTextReader } from '../../../src/core/search/textReader';
import { VectorIndex } from '../../../src/core/search/vectorIndex';
import { buildKeywordIndex, type FixtureChunk } from '../../fixtures/search/corpus';
import { tempDir } from '../../support/tempDir';

function chunk(name: string, path: string, text: string, kind: 'code' | 'doc' = 'code', startLine = 1): FixtureChunk {
  return { name, path, symbol: '', language: kind === 'doc' ? 'markdown' : 'typescript', kind, text, startLine, endLine: startLine + text.split('\n').length - 1, hash: name, tokens: Math.ceil(text.length / 4) };
}

const OFF: RankPolicy = policyOff();
const withPolicy = (p: Partial<{ [K in keyof RankPolicy]: Partial<RankPolicy[K]> }>): RankPolicy => ({
  pages: { ...OFF.pages, ...p.pages }, proximity: { ...OFF.proximity, ...p.proximity }, prf: { ...OFF.prf, ...p.prf }, rocchio: { ...OFF.rocchio, ...p.rocchio }, compounds: { ...OFF.compounds, ...p.compounds },
});

/** One-hot vectors (chunk i on axis i) and a query vector that points nowhere in particular. */
function setup(chunks: FixtureChunk[]) {
  const dims = Math.max(8, chunks.length + 1);
  const rows = new Float32Array(chunks.length * dims);
  chunks.forEach((_, i) => (rows[i * dims + i] = 1));
  const queryVector = new Float32Array(dims);
  queryVector[dims - 1] = 1;
  return {
    keyword: buildKeywordIndex(chunks), vector: VectorIndex.fromRows(rows, dims), chunks, queryVector,
    mode: 'hybrid' as const, offline: true, topK: chunks.length, textOf: (id: number) => chunks[id]?.text,
  };
}
const order = (chunks: FixtureChunk[], hits: { chunk: { hash: string } }[]) => hits.map((h) => chunks.find((c) => c.hash === h.chunk.hash)!.name);

const filler = (i: number) => chunk(`filler${i}`, `src/misc/m${i}.ts`, `export function helper${i}() {\n  return render(layout${i}, theme);\n}`);

test('pseudo-relevance feedback: a chunk that shares no word with the query is found through the words of the best hits', () => {
  const chunks = [
    chunk('tarGz', 'src/pack/archive.ts', '// compress an archive of files\nexport function packTarball(files) {\n  return gzip(tarball(files));\n}'),
    chunk('tarGz2', 'src/pack/archive2.ts', '// compress the archive before upload\nexport function shrinkTarball(t) {\n  return gzip(t);\n}'),
    chunk('gunzip', 'src/pack/unpack.ts', 'export function unpackTarball(buf) {\n  return untar(gunzip(buf));\n}\nconst tarball = gzip;'),
    ...Array.from({ length: 6 }, (_, i) => filler(i)),
  ];
  const s = setup(chunks);
  const off = rankSearch({ ...s, query: 'compress archive', policy: OFF });
  const on = rankSearch({ ...s, query: 'compress archive', policy: withPolicy({ prf: { docs: 2, terms: 5, weight: 0.5 } }) });
  const gunzipOff = off.find((h) => h.chunk.hash === 'gunzip')!;
  const gunzipOn = on.find((h) => h.chunk.hash === 'gunzip')!;
  assert.equal(gunzipOff.why.keywordRank, undefined, 'without feedback no query word matches it');
  assert.ok(gunzipOff.why.lowConfidence, 'and it sits among the doubtful hits');
  assert.deepEqual(order(chunks, on).slice(0, 3).sort(), ['gunzip', 'tarGz', 'tarGz2'], 'with feedback it joins the two direct hits at the top');
  assert.ok(!gunzipOn.why.lowConfidence);
  assert.deepEqual(gunzipOn.why.terms, [], 'it matched no word the person typed, and says so');
  assert.deepEqual(order(chunks, on).slice(0, 2).sort(), ['tarGz', 'tarGz2'], 'the direct hits stay first');
});

test('proximity: adjacent identifier parts beat the same words far apart', () => {
  const far = 'export function setup(options) {\n  parse(options.argv);\n  parse(options.env);\n  validate(options);\n  normalize(options);\n  report(options);\n  log(config);\n  return config;\n}';
  const near = 'export function load(path, options) {\n  const text = read(path);\n  return parseConfig(text, options);\n}';
  const chunks = [chunk('far', 'src/cli/setup.ts', far), chunk('near', 'src/io/load.ts', near), ...Array.from({ length: 6 }, (_, i) => filler(i))];
  const s = setup(chunks);
  const off = order(chunks, rankSearch({ ...s, query: 'parse config', policy: OFF }));
  const on = order(chunks, rankSearch({ ...s, query: 'parse config', policy: withPolicy({ proximity: { weight: 0.5 } }) }));
  assert.equal(off[0], 'far', 'plain BM25F prefers the chunk that repeats both words');
  assert.equal(on[0], 'near', 'proximity puts parseConfig(...) first');
});

test('identifier compounds: "read user settings" finds readUserSettings before the same words scattered', () => {
  const scattered = '// read the user guide and the settings page\nexport function openHelp(user) {}';
  const named = 'export function readUserSettings(path) {\n  return json.load(path);\n}';
  const chunks = [chunk('scattered', 'src/help.ts', scattered), chunk('named', 'src/io/prefs.ts', named), ...Array.from({ length: 6 }, (_, i) => filler(i))];
  const s = setup(chunks);
  const off = order(chunks, rankSearch({ ...s, query: 'read user settings', policy: OFF }));
  const on = rankSearch({ ...s, query: 'read user settings', policy: withPolicy({ compounds: { weight: 1 } }) });
  assert.equal(off[0], 'scattered', 'plain BM25F: the chunk repeating the words');
  assert.equal(order(chunks, on)[0], 'named', 'the whole identifier wins');
  assert.deepEqual(on[0].why.terms, ['read', 'user', 'settings'], 'matched words are still the ones typed');
  // The shipped policy does it in keyword mode as well (it is keyword matching, not a vector effect).
  assert.equal(order(chunks, rankSearch({ ...s, mode: 'keyword', query: 'read user settings' }))[0], 'named');
  assert.equal(order(chunks, rankSearch({ ...s, query: 'read user settings' }))[0], 'named');
  assert.equal(order(chunks, rankSearch({ ...s, query: 'read_user_settings path' }))[0], 'named', 'a snake_case query still matches');
});

test('page aggregation: a note whose sections all match outranks one lucky section', () => {
  const chunks = [
    chunk('scp-1', 'notes/scp.md', '## Copy\nscp copies files between hosts over ssh.', 'doc', 1),
    chunk('scp-2', 'notes/scp.md', '## Remote\nThe remote host path is host:path; the copy is encrypted.', 'doc', 3),
    chunk('misc', 'notes/misc.md', '## Misc\nTo copy remote files, copy remote files, see elsewhere.', 'doc'),
    ...Array.from({ length: 6 }, (_, i) => filler(i)),
  ];
  const s = setup(chunks);
  const q = 'copy files to a remote host';
  const off = order(chunks, rankSearch({ ...s, query: q, policy: OFF }));
  const on = order(chunks, rankSearch({ ...s, query: q, policy: withPolicy({ pages: { sibling: 0.5 } }) }));
  assert.equal(off[0], 'misc');
  assert.ok(on[0].startsWith('scp-'), `the scp page first, got ${on.join(',')}`);
});

test('Rocchio: the dense list moves toward the best keyword hits (offline)', () => {
  const chunks = [chunk('a', 'src/a.ts', 'export function alpha() { return beta; }'), ...Array.from({ length: 6 }, (_, i) => filler(i))];
  const s = setup(chunks);
  // The query vector points at the last filler: the dense list alone ranks that one first.
  const queryVector = new Float32Array(s.queryVector.length);
  queryVector[chunks.length - 1] = 1;
  const off = rankSearch({ ...s, queryVector, query: 'alpha', policy: OFF });
  const on = rankSearch({ ...s, queryVector, query: 'alpha', policy: withPolicy({ rocchio: { docs: 1, weight: 0.7 } }) });
  assert.notEqual(off.find((h) => h.chunk.hash === 'a')!.why.vectorRank, 1);
  assert.equal(on.find((h) => h.chunk.hash === 'a')!.why.vectorRank, 1, 'the keyword winner is now also the first dense hit');
  assert.equal(on[0].chunk.hash, 'a');
});

test('without readable texts the text stages are skipped, and results are the same length', () => {
  const chunks = [chunk('x', 'src/x.ts', 'parse config now'), ...Array.from({ length: 4 }, (_, i) => filler(i))];
  const s = setup(chunks);
  const p = withPolicy({ proximity: { weight: 0.5 }, prf: { docs: 3 } });
  const none = rankSearch({ ...s, textOf: () => undefined, query: 'parse config', policy: p });
  assert.equal(none.length, chunks.length);
  assert.equal(none[0].chunk.hash, 'x');
  assert.ok(RANK_POLICY.proximity.depth > 0, 'the shipped policy is readable');
});

test('the text reader gives a chunk its own lines from the file, and nothing once the file no longer has them', () => {
  const root = tempDir('sw-refine-');
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'src', 'a.ts'), '\uFEFFline one\r\nline two\nline three\n');
  const c = (startLine: number, endLine: number) => ({ ...chunk('a', 'src/a.ts', ''), startLine, endLine });
  const read = fileTextReader(root);
  assert.equal(read(0, c(2, 3)), 'line two\nline three');
  assert.equal(read(0, c(1, 1)), 'line one', 'no BOM, no CR');
  assert.equal(read(0, c(3, 9)), undefined, 'the file is shorter than the chunk: changed since indexing');
  assert.equal(fileTextReader(root)(0, { ...c(1, 1), path: 'src/gone.ts' }), undefined);
});
