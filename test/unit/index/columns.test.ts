/**
 * Column spans through the store: the chunk table keeps them (version 2) and still reads version 1
 * tables (older indexes open), the engine's snippet of a long-line hit is that piece only, the
 * CLI's JSON says where it is, and a minified bundle is skipped with its reason.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openEngine } from '../../../src/core/engine';
import { decodeChunkTable, encodeChunkTable } from '../../../src/core/index/chunkTable';
import type { ChunkInfo } from '../../../src/core/types';
import { runCli } from '../cli/support';
import { tempDir, workspace } from './helpers';

const quiet = { info() {}, warn() {}, error() {} };
const row = (i: number, extra: Partial<ChunkInfo> = {}): ChunkInfo => ({
  path: `src/f${i % 3}.js`, startLine: i + 1, endLine: i + 1, kind: 'code', language: 'javascript', symbol: '', hash: i.toString(16).padStart(32, '0'), tokens: 10 + i, ...extra,
});

describe('chunk table: column spans', () => {
  it('round-trips columns (version 2) and writes version 1 when there are none', () => {
    const chunks = [row(0), row(1, { startColumn: 1, endColumn: 3000 }), row(2, { startColumn: 3001, endColumn: 6123 }), row(3)];
    const bytes = encodeChunkTable(chunks);
    assert.equal(new DataView(bytes.buffer).getUint32(4, true), 2);
    assert.deepEqual(decodeChunkTable(bytes), chunks);
    const plain = encodeChunkTable([row(0), row(3)]);
    assert.equal(new DataView(plain.buffer).getUint32(4, true), 1, 'no columns: the version-1 table, byte for byte as before');
    assert.deepEqual(decodeChunkTable(plain), [row(0), row(3)]);
  });

  it('rejects a damaged column section', () => {
    const bytes = encodeChunkTable([row(0, { startColumn: 5, endColumn: 9 })]);
    const cut = bytes.slice(0, bytes.length - 4);
    assert.throws(() => decodeChunkTable(cut), /chunk table/);
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(bad.length - 12, 7, true); // row 7 does not exist
    assert.throws(() => decodeChunkTable(bad), /column span/);
  });
});

describe('long lines end to end', () => {
  const paragraph = Array.from({ length: 15_000 }, (_, i) => (i === 11_000 ? 'quokkamarker' : `term${i % 89}`)).join(' ');
  const bundle = `!function(){${'var q=function(a,b){return a+b};'.repeat(1500)}}();\n`;

  it('a hit in a long line reads back only its piece, and a bundle is skipped as generated', async () => {
    const ws = workspace({ 'notes/long.md': `# Long\n\n${paragraph}\n`, 'tools/plugin.cjs': bundle, 'src/a.ts': 'export const a = 1;\n' });
    const engine = await openEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'offline', logger: quiet });
    const report = await engine.index();
    const skip = report.skippedFiles.find((s) => s.path === 'tools/plugin.cjs');
    assert.equal(skip?.reason, 'generated');
    assert.match(skip?.detail ?? '', /minified or bundled code/);
    const hits = await engine.search('quokkamarker', { mode: 'keyword', topK: 3 });
    const hit = hits[0];
    assert.ok(hit, 'found');
    assert.equal(hit.chunk.path, 'notes/long.md');
    assert.equal(hit.chunk.startLine, 3);
    assert.ok(hit.chunk.startColumn! > 1 && hit.chunk.endColumn! > hit.chunk.startColumn!);
    const text = await engine.readText(hit.chunk);
    assert.ok(text?.includes('quokkamarker'));
    assert.equal(text, paragraph.slice(hit.chunk.startColumn! - 1, hit.chunk.endColumn));
    assert.ok(text!.length < 5000, `snippet of ${text!.length} characters, not the ${paragraph.length}-character line`);
  });

  it('the CLI JSON gives startColumn/endColumn for such a hit', () => {
    const ws = workspace({ 'notes/long.md': `# Long\n\n${paragraph}\n` });
    const idx = path.join(tempDir(), 'idx');
    assert.equal(runCli(['index', ws.root, '--index-dir', idx, '--json']).status, 0);
    const r = runCli(['search', ws.root, 'quokkamarker', '--index-dir', idx, '--mode', 'keyword', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const hit = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { hits?: { startLine: number; startColumn?: number; endColumn?: number }[] }).hits?.[0]
      ?? (JSON.parse(r.stdout.trim().split('\n').pop()!) as { results: { startLine: number; startColumn?: number; endColumn?: number }[] }).results[0];
    assert.equal(hit.startLine, 3);
    assert.ok(hit.startColumn! >= 1 && hit.endColumn! > hit.startColumn!);
    assert.ok(paragraph.slice(hit.startColumn! - 1, hit.endColumn).includes('quokkamarker'));
  });
});
