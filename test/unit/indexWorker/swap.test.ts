/**
 * After the index worker commits an update, the host opens the new generation in slices while
 * searches keep answering from the one it has, then swaps it in (hostEngine.ts, index/slices.ts).
 * What a user notices: a search typed while the open is under way answers at once, from the
 * previous generation (its hits' text still readable); the search after the update finds the
 * edit and ranks exactly as a process opening the index cold; timers keep firing meanwhile.
 * The real worker script (the source through tsx), real files.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openEngine } from '../../../src/core/engine';
import type { SearchResult } from '../../../src/core/engineTypes';
import { openHostEngine } from '../../../src/core/indexWorker';
import { tempDir, tsFile, workspace } from '../index/helpers';

const files = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`src/m${i}.ts`, tsFile(`m${i}`, 6)]));
const ranked = (r: SearchResult) => r.map((h) => `${h.chunk.path}:${h.chunk.startLine}=${h.score.toFixed(6)}`);
const QUERIES = ['m3 value', 'function m5', 'gizmoFlux', 'm1 return'];

test('a search while the host opens the committed generation answers from the previous one; the next sees the edit and ranks as a cold open; timers fire meanwhile', async () => {
  const ws = workspace(files(10));
  const events: string[] = [];
  let during: Promise<SearchResult> | undefined;
  let timerFired: Promise<void> | undefined;
  const engine = await openHostEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'offline' }, {
    // One step per slice: the open takes many event-loop turns even on this small index.
    sliceMs: 0,
    onOpening: () => {
      events.push('opening');
      during = engine.search('gizmoFlux', { topK: 3, mode: 'keyword' }).then((r) => {
        events.push('search answered');
        return r;
      });
      timerFired = new Promise((resolve) => setTimeout(() => {
        events.push('timer');
        resolve();
      }, 0));
    },
  });
  await engine.index();
  await engine.search('m3 value', { topK: 3 }); // the host has a generation open
  events.length = 0;

  ws.write('src/m4.ts', tsFile('m4', 6, (k) => (k === 1 ? 'return gizmoFlux + 1;' : `return m4Value${k} * ${k + 1};`)));
  await engine.index({ paths: ['src/m4.ts'] });
  events.push('index resolved');
  assert.ok(during && timerFired, 'the host opened the committed generation');
  await timerFired;
  const old = await during;
  assert.deepEqual(events, ['opening', 'search answered', 'timer', 'index resolved'], 'the search and a timer ran before the open completed');
  assert.equal(old.length, 0, 'answered from the previous generation: the edit is not in it');
  const stats = engine.stats.lastOpen;
  assert.ok(stats && stats.slices > 10, `the open took many event-loop turns (${stats?.slices})`);

  const after = await engine.search('gizmoFlux', { topK: 3, mode: 'keyword' });
  assert.equal(after[0]?.chunk.path, 'src/m4.ts', 'the search after the update sees the edit');

  // The same committed index opened by a fresh process (no generation of it open before).
  const copy = path.join(tempDir('sw-swap-cold-'), 'index');
  fs.cpSync(ws.indexDir, copy, { recursive: true });
  const cold = await openEngine({ root: ws.root, indexDir: copy, provider: 'offline' });
  for (const q of QUERIES) {
    for (const mode of ['keyword', 'dense', 'hybrid'] as const) {
      assert.deepEqual(ranked(await engine.search(q, { topK: 6, mode })), ranked(await cold.search(q, { topK: 6, mode })), `${mode} ${q}`);
    }
  }
});

test('the first open after an update with nothing to reuse is sliced too, and a hit of the previous generation keeps its text readable', async () => {
  const ws = workspace(files(8));
  const engine = await openHostEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'offline' }, { sliceMs: 0 });
  await engine.index();
  const before = await engine.search('m2 value', { topK: 3, mode: 'keyword' });
  assert.ok(before.length > 0);
  const stats = engine.stats.lastOpen;
  assert.ok(stats && stats.slices > 5, `the build's commit was opened in slices (${stats?.slices})`);
  assert.equal(engine.stats.swaps, 1);

  // An edit elsewhere: an old hit's text is still what its file holds at its lines.
  ws.write('src/m7.ts', tsFile('m7', 6, (k) => (k === 0 ? 'return wobbleQuark;' : `return m7Value${k} * ${k + 1};`)));
  await engine.index({ paths: ['src/m7.ts'] });
  assert.equal(engine.stats.swaps, 2);
  const text = await engine.readText(before[0].chunk);
  const lines = fs.readFileSync(path.join(ws.root, before[0].chunk.path), 'utf8').split('\n');
  assert.equal(text, lines.slice(before[0].chunk.startLine - 1, before[0].chunk.endLine).join('\n'));
  assert.equal((await engine.search('wobbleQuark', { topK: 1, mode: 'keyword' }))[0]?.chunk.path, 'src/m7.ts');
});
