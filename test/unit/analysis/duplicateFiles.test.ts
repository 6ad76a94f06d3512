// Find Duplicates per FILE over a real vault: the real chunker, DashScope-like vectors (the fake
// server's) and the offline provider through the bundled CLI. A planted 95 %-identical note is one
// row; notes that share only frontmatter or boilerplate never pair; tiny code snippets never pair.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chunkFile } from '../../../src/core/chunking';
import { findDuplicates } from '../../../src/core/analysis';
import type { AnalysisInput } from '../../../src/core/engineTypes';
import type { ChunkInfo } from '../../../src/core/types';
import { runCli, tempDir, writeTree } from '../cli/support';
import { fakeVector } from './support';

const PACING = [
  '---', 'title: Long run pacing', 'tags: [running, marathon]', 'created: 2024-03-01', '---', '',
  '# Long run pacing', '',
  'The weekly long run builds endurance for the marathon. Run it at an easy pace, about one minute per kilometre',
  'slower than marathon race pace, so that your heart rate stays in zone two for the whole distance.', '',
  '## Distance', '',
  'Increase the long run distance by two kilometres each week up to thirty two kilometres, then taper before the race.',
  'Every fourth week drop back to a shorter run so the legs can absorb the training load without injury.', '',
  '## Fuel', '',
  'Practise drinking and taking gels during the long run, one gel every forty minutes with a few sips of water.',
  'Try the breakfast you plan to eat on race morning before a long run, never something new on race day.', '',
  '## 配速笔记', '',
  '长距离慢跑要比比赛配速慢一分钟左右，心率保持在二区。每周增加两公里，比赛前两周开始减量。',
  '补给方面，每四十分钟吃一支能量胶，并喝几口水，不要在比赛当天尝试新的早餐。', '',
].join('\n');
// The copy: a new title, one word changed in two sentences (≈ 95 % of the words identical).
const PACING_COPY = PACING.replace('title: Long run pacing', 'title: Long run pacing (copy)')
  .replace('# Long run pacing', '# Long run pacing (copy)')
  .replace('for the whole distance', 'for the entire distance')
  .replace('one gel every forty minutes', 'one gel every thirty minutes');

/** Man-page style notes: a different first paragraph, then the same long boilerplate. */
const BOILERPLATE = [
  '## REPORTING BUGS', '',
  'Report bugs to the issue tracker of the project. Include the version printed by the --version option, the exact',
  'command line you ran, what you expected to happen and what happened instead, and attach a minimal example.', '',
  '## COPYRIGHT', '',
  'Copyright the authors. License GPLv3 or later. This is free software: you are free to change and redistribute it.',
  'There is NO WARRANTY, to the extent permitted by law. Full documentation is available in the info manual.', '',
].join('\n');
const COMMANDS: Record<string, string> = {
  grep: 'grep searches the named input files for lines containing a match to the given patterns and prints them.',
  sed: 'sed is a stream editor that performs basic text transformations on an input stream, a file or a pipe.',
  tar: 'tar saves many files together into a single tape or disk archive, and can restore individual files from it.',
  rsync: 'rsync is a fast file copying tool that sends only the differences between the source and the destination.',
  curl: 'curl is a tool for transferring data from or to a server using URLs, with many supported protocols.',
};

/** Two notes with the same long frontmatter and unrelated bodies. */
const FRONT = ['---', 'title: Weekly review', 'tags: [review, weekly, planning, habits]', 'template: weekly-review-v2',
  'author: me', 'status: draft', 'aliases: [review, retro]', '---', ''].join('\n');

const COPIED_FUNCTION = `export function movingAverage(values: readonly number[], window: number): number[] {
  if (window <= 0) throw new RangeError('window must be positive');
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    if (i >= window - 1) out.push(sum / window);
  }
  return out;
}
`;

const VAULT: Record<string, string> = {
  'notes/running/long-run-pacing.md': PACING,
  'notes/running/long-run-pacing-copy.md': PACING_COPY,
  'notes/review/2024-w10.md': `${FRONT}# Week 10\n\nFinished the sourdough starter experiment; the rye flour version rose twice as fast as the wheat one.\n`,
  'notes/review/2024-w11.md': `${FRONT}# Week 11\n\nMoved the home server to the new rack and replaced the failing disk in the mirror before it died.\n`,
  ...Object.fromEntries(Object.entries(COMMANDS).map(([cmd, what]) => [`man/${cmd}.md`, `# ${cmd}\n\n## DESCRIPTION\n\n${what}\n\n${BOILERPLATE}`])),
  'src/stats.ts': `import { strict as assert } from 'node:assert';\n\n${COPIED_FUNCTION}\nexport const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];\n`,
  'src/charts/smoothing.ts': `import { strict as assert } from 'node:assert';\n\n${COPIED_FUNCTION}\nexport function drawLine(ctx: CanvasRenderingContext2D, ys: number[]) {\n  ys.forEach((y, x) => ctx.lineTo(x, y));\n}\n`,
  'src/a.ts': `export const VERSION = '1.0';\nexport default VERSION;\n`,
  'src/b.ts': `export const VERSION = '1.0';\nexport default VERSION;\n`,
};

const EXPECTED = [
  ['notes/running/long-run-pacing-copy.md', 'notes/running/long-run-pacing.md', 'doc'],
  ['src/charts/smoothing.ts', 'src/stats.ts', 'code'],
];

async function remoteInput(root: string): Promise<AnalysisInput> {
  const chunks: ChunkInfo[] = [];
  const rows: Float32Array[] = [];
  for (const rel of Object.keys(VAULT).sort()) {
    for (const c of await chunkFile(rel, fs.readFileSync(path.join(root, rel), 'utf8'))) {
      const { text: _t, embedText, ...info } = c;
      chunks.push(info);
      rows.push(fakeVector(embedText, 'document', 256));
    }
  }
  const vectors = new Float32Array(rows.length * 256);
  rows.forEach((r, i) => vectors.set(r, i * 256));
  return {
    chunks, vectors, dims: 256, provider: 'dashscope',
    readText: async (c) => fs.readFileSync(path.join(root, c.path), 'utf8').split('\n').slice(c.startLine - 1, c.endLine).join('\n'),
  };
}

describe('findDuplicates per file', () => {
  const root = tempDir('sw-dup-vault-');
  writeTree(root, VAULT);

  it('DashScope vectors: the 95 % copy is exactly one row; frontmatter, boilerplate and snippets never pair', async () => {
    const result = await findDuplicates(await remoteInput(root));
    assert.deepEqual(result.pairs.map((p) => [p.a, p.b, p.kind]), EXPECTED, JSON.stringify(result.pairs, null, 1));
    const [note, code] = result.pairs;
    assert.ok(note.share >= 0.9 && note.share < 1, `note share ${note.share}`);
    assert.ok(note.score >= 0.9, `whole-note cosine ${note.score}`);
    assert.ok(note.places.length >= 1 && note.places.every((p) => p.a.startLine > 5 && p.b.startLine > 5), 'places never point at the frontmatter');
    assert.ok(code.share > 0.3 && code.share < 1, `code share ${code.share}`);
    assert.deepEqual(code.places[0].a, { startLine: 1, endLine: 13 }); // the chunker packs the import with it
  });

  it('a lower share bar still keeps template notes apart: their shared words are boilerplate', async () => {
    const result = await findDuplicates(await remoteInput(root), { minShare: 0.2 });
    assert.deepEqual(result.pairs.map((p) => [p.a, p.b, p.kind]), EXPECTED);
  });

  it('offline, through the CLI: duplicates --json prints {"pairs": [{a, b, share, score}]} with the same rows', () => {
    const indexDir = path.join(tempDir('sw-dup-index-'), 'idx');
    const indexed = runCli(['index', root, '--index-dir', indexDir, '--json']);
    assert.equal(indexed.status, 0, indexed.stderr);
    const r = runCli(['duplicates', root, '--index-dir', indexDir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { pairs: { a: string; b: string; share: number; score: number; kind: string }[] };
    assert.deepEqual(Object.keys(out), ['pairs']);
    assert.deepEqual(out.pairs.map((p) => [p.a, p.b, p.kind]), EXPECTED, r.stdout);
    for (const p of out.pairs) {
      assert.ok(p.share > 0 && p.share <= 1 && p.score > 0 && p.score <= 1, JSON.stringify(p));
      assert.deepEqual(Object.keys(p).slice(0, 4), ['a', 'b', 'share', 'score']);
    }
    const human = runCli(['duplicates', root, '--index-dir', indexDir]);
    assert.match(human.stdout, /9\d%\s+≈ 0\.\d{3}\s+notes\/running\/long-run-pacing-copy\.md\s+↔\s+notes\/running\/long-run-pacing\.md/);
  });

  it('the extension fixture workspace (offline): a copy whose title changed is still one row', () => {
    const ws = path.join(tempDir('sw-dup-fixture-'), 'ws');
    fs.cpSync(path.resolve(__dirname, '../../fixtures/workspace'), ws, { recursive: true });
    const original = fs.readFileSync(path.join(ws, 'notes/deployment.md'), 'utf8');
    fs.writeFileSync(path.join(ws, 'notes/deployment-copy.md'), original.replace('# Deployment checklist', '# Deployment checklist (copy)').replace('for ten minutes', 'for fifteen minutes'));
    const indexDir = path.join(tempDir('sw-dup-fixture-index-'), 'idx');
    assert.equal(runCli(['index', ws, '--index-dir', indexDir, '--json']).status, 0);
    const r = runCli(['duplicates', ws, '--index-dir', indexDir, '--json']);
    const out = JSON.parse(r.stdout) as { pairs: { a: string; b: string; share: number }[] };
    assert.deepEqual(out.pairs.map((p) => [p.a, p.b]), [['notes/deployment-copy.md', 'notes/deployment.md']], r.stdout);
    assert.ok(out.pairs[0]!.share > 0.9);
  });
});
