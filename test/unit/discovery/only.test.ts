/**
 * `only` (live updates): looking at a few paths reads just the folders on their way, yet gives
 * exactly what a full walk says about those paths — ignore files at every level, negations,
 * default and security excludes, symlinks — and never names a file outside the list.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { discoverFiles } from '../../../src/core/discovery';
import { makeTree, removeTree } from './helpers';

describe('discoverFiles({ only })', () => {
  const roots: string[] = [];
  after(async () => {
    for (const r of roots) await removeTree(r);
  });

  it('agrees with the full walk on every path, and reads no other folder', async () => {
    const root = await makeTree({
      '.gitignore': 'build/\n*.log\n!keep.log\ngenerated/\n',
      '.semanticignore': 'private/\n!build/important.ts\n',
      'src/a.ts': 'export const a = 1;\n',
      'src/deep/b.ts': 'export const b = 2;\n',
      'src/deep/.gitignore': 'local.ts\n',
      'src/deep/local.ts': 'ignored below\n',
      'src/debug.log': 'log\n',
      'src/keep.log': 'kept\n',
      'build/out.js': 'x\n',
      'build/important.ts': 're-included\n',
      'generated/g.ts': 'g\n',
      'private/p.md': 'secret notes\n',
      'node_modules/pkg/index.js': 'module.exports = 1;\n',
      '.env': 'A=1\n',
      'docs/readme.md': '# hi\n',
      'docs/empty.txt': '',
      'other/untouched/z.ts': 'z\n',
    });
    roots.push(root);
    fs.symlinkSync(path.join(root, 'src/a.ts'), path.join(root, 'docs/link-to-a.ts'));
    fs.symlinkSync(path.join(root, 'src'), path.join(root, 'linkdir'));
    const full = await discoverFiles(root);
    const candidates = [
      'src/a.ts', 'src/deep/b.ts', 'src/deep/local.ts', 'src/debug.log', 'src/keep.log', 'build/out.js', 'build/important.ts',
      'generated/g.ts', 'private/p.md', 'node_modules/pkg/index.js', '.env', 'docs/readme.md', 'docs/empty.txt',
      'docs/link-to-a.ts', 'linkdir/a.ts', 'linkdir', 'src/missing.ts', 'nowhere/x.ts', '../outside.ts', 'src',
    ];
    for (const p of candidates) {
      const got = await discoverFiles(root, { only: [p] });
      assert.deepEqual(got.files.map((f) => f.path), full.files.filter((f) => f.path === p).map((f) => f.path), `files for ${p}`);
      assert.deepEqual(got.skipped.filter((s) => s.path === p), full.skipped.filter((s) => s.path === p), `skip reason for ${p}`);
      assert.ok(got.files.every((f) => f.path === p), `only ${p} may be listed`);
    }
    const list = ['src/a.ts', 'docs/readme.md', 'build/important.ts', 'src/deep/b.ts'];
    const several = await discoverFiles(root, { only: list });
    assert.deepEqual(several.files.map((f) => f.path), full.files.filter((f) => list.includes(f.path)).map((f) => f.path));
    assert.ok(several.files.length >= 3);
    // A folder off the way is never read: an unreadable one would otherwise be reported.
    fs.chmodSync(path.join(root, 'other/untouched'), 0o000);
    try {
      const one = await discoverFiles(root, { only: ['src/a.ts'] });
      assert.ok(!one.skipped.some((s) => s.path.startsWith('other/')), 'other/ was not walked');
    } finally {
      fs.chmodSync(path.join(root, 'other/untouched'), 0o755);
    }
  });
});
