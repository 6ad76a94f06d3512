/**
 * A long-lived process (the extension host) opens the generation a live update committed while
 * the previous one is still open: the unchanged rows and postings come from the open generation
 * (src/core/index/reuse.ts) instead of being read again. What a user notices: a search right
 * after the update finds the edit and ranks exactly as a process opening the index cold would,
 * and searches still running on the previous generation answer as before meanwhile.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openIndexInSlices, runIndex, type OpenedIndex } from '../../../src/core/index';
import { searchHybrid } from '../../../src/core/search/hybrid';
import { HashEmbedder, tempDir, tsFile, workspace } from './helpers';
import { okIndex, opened, rankings } from './rankings';

const FNS = 8;
const QUERIES = ['alpha step', 'renamed unicorn', 'platypus', 'mod7 step 4', 'zebra crossing', 'brandNewTerm'];

const results = (idx: OpenedIndex, e: HashEmbedder) => rankings(idx, e, QUERIES, 6);

/** The same committed index opened where no generation of it was ever open (a fresh process). */
function openedCold(indexDir: string, e: HashEmbedder): OpenedIndex {
  const copy = path.join(tempDir('sw-reuse-cold-'), 'index');
  fs.cpSync(indexDir, copy, { recursive: true });
  return opened(copy, e);
}

for (const [searchedBefore, sliced] of [[true, false], [false, false], [true, true], [false, true]]) {
  test(`after live updates the next generation opens from the open one (${searchedBefore ? 'its vector index built' : 'never vector-searched'}${sliced ? ', opened in slices as a host does' : ''}): sees each edit, ranks as a cold open, the old one answers as before`, async () => {
    const e = new HashEmbedder({ dims: 24 });
    const files: Record<string, string> = { 'docs/notes.md': '# Notes\n\nzebra crossing notes.\n' };
    for (let i = 0; i < 12; i++) files[`src/mod${i}.ts`] = tsFile(`mod${i}`, FNS, (k) => (i === 3 && k === 2 ? 'return platypus + 1;' : `return mod${i}Value${k} * ${k + 1};`));
    const ws = workspace(files);
    await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
    if (sliced) {
      // Nothing to reuse (a fresh process): the sliced open ranks as the one-call open.
      const copy = path.join(tempDir('sw-reuse-sliced-'), 'index');
      fs.cpSync(ws.indexDir, copy, { recursive: true });
      const slicedCold = okIndex(await openIndexInSlices({ indexDir: copy, embedder: e }, 0));
      assert.deepEqual(await results(slicedCold, e), await results(openedCold(ws.indexDir, e), e), 'a cold open in slices');
    }
    let current = opened(ws.indexDir, e);
    if (searchedBefore) await results(current, e);
    const edits: [string, string][] = [
      ['src/mod3.ts', tsFile('mod3', FNS, (k) => (k === 2 ? 'return renamedUnicorn + 1;' : `return mod3Value${k} * ${k + 1};`))],
      ['src/mod7.ts', tsFile('mod7', FNS + 2, (k) => (k === 9 ? 'return brandNewTerm;' : `return mod7Value${k} * ${k + 1};`))],
      ['src/mod0.ts', tsFile('mod0', FNS - 3)],
    ];
    for (const [rel, text] of edits) {
      const before = await results(current, e);
      ws.write(rel, text);
      await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { paths: [rel] });
      // While `current` is open: built from it (in slices: one step per event-loop turn, then warmed).
      const next = sliced ? okIndex(await openIndexInSlices({ indexDir: ws.indexDir, embedder: e }, 0)) : opened(ws.indexDir, e);
      assert.ok(next.generation > current.generation);
      assert.deepEqual(await results(next, e), await results(openedCold(ws.indexDir, e), e), `after editing ${rel}`);
      assert.deepEqual(await results(current, e), before, 'the generation still open is unchanged');
      current = next;
    }
    const top = (q: string) => searchHybrid({ keyword: current.keywordIndex(), chunks: current.chunks, query: q, mode: 'keyword', topK: 3 })[0]?.chunk;
    assert.equal(top('renamedUnicorn')?.path, 'src/mod3.ts');
    assert.equal(top('brandNewTerm')?.path, 'src/mod7.ts');
    assert.equal(top('platypus'), undefined, 'the old text is gone');
    assert.equal(current.vectors.length, current.chunks.length * 24);
  });
}
