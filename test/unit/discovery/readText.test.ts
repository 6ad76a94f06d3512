import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { readTextFile } from '../../../src/core/discovery';
import { makeTree, removeTree } from './helpers';

describe('readTextFile', async () => {
  const root = await makeTree({
    'plain.ts': 'const a = 1;\n',
    'bom.md': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# Title\n')]),
    'crlf.txt': 'one\r\ntwo\r\nthree\r\n',
    'invalid.txt': Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]),
    'binary.dat': Buffer.concat([Buffer.from('looks like text'), Buffer.from([0]), Buffer.from('more')]),
    'late-nul.txt': Buffer.concat([Buffer.alloc(9000, 0x61), Buffer.from([0])]),
    'empty.txt': '',
    'blank.txt': '  \n\n\t\n',
    'big.txt': 'x'.repeat(5000),
    'chinese.md': '# 标题\n中文内容。\n',
  });
  after(() => removeTree(root));
  const read = (name: string, max = 1_000_000) => readTextFile(path.join(root, name), max);

  it('reads UTF-8 text as is', async () => {
    assert.deepEqual(await read('plain.ts'), { text: 'const a = 1;\n' });
    assert.deepEqual(await read('chinese.md'), { text: '# 标题\n中文内容。\n' });
  });

  it('strips a UTF-8 BOM', async () => {
    assert.deepEqual(await read('bom.md'), { text: '# Title\n' });
  });

  it('keeps CRLF in the text; lines still count by \\n', async () => {
    const r = await read('crlf.txt');
    assert.ok('text' in r);
    assert.equal(r.text, 'one\r\ntwo\r\nthree\r\n');
    assert.equal(r.text.split('\n').length - 1, 3);
  });

  it('decodes invalid UTF-8 with replacement characters instead of failing', async () => {
    assert.deepEqual(await read('invalid.txt'), { text: 'a\uFFFD\uFFFDb\n' });
  });

  it('sniffs binary by a NUL byte in the first 8 KB only', async () => {
    assert.deepEqual(await read('binary.dat'), { skip: 'binary', detail: 'NUL byte' });
    const late = await read('late-nul.txt');
    assert.ok('text' in late, 'a NUL after 8 KB is not sniffed');
  });

  it('reports empty and whitespace-only files as empty', async () => {
    assert.equal((await read('empty.txt') as { skip: string }).skip, 'empty');
    assert.equal((await read('blank.txt') as { skip: string }).skip, 'empty');
  });

  it('reports files over the limit as too-large, judged on the open file rather than the discovery size', async () => {
    assert.deepEqual(await read('big.txt', 1000), { skip: 'too-large', detail: '5000 bytes' });
    const growing = path.join(root, 'growing.txt');
    await fs.writeFile(growing, 'small');
    const handle = await fs.open(growing, 'a');
    await handle.write('y'.repeat(3000)); // grows past the limit before the read
    await handle.close();
    assert.equal((await readTextFile(growing, 1000) as { skip: string }).skip, 'too-large');
  });

  it('reports a vanished file as unreadable', async () => {
    assert.deepEqual(await read('gone.txt'), { skip: 'unreadable', detail: 'vanished' });
  });

  it('does not hang on a FIFO or a symlink loop', { timeout: 5000 }, async () => {
    const fifo = path.join(root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    assert.equal((await readTextFile(fifo, 1000) as { skip: string }).skip, 'not-a-regular-file');
    await fs.symlink('loop-b', path.join(root, 'loop-a'));
    await fs.symlink('loop-a', path.join(root, 'loop-b'));
    assert.equal((await read('loop-a') as { skip: string }).skip, 'not-a-regular-file');
  });
});
