import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { discoverFiles } from '../../../src/core/discovery';
import type { SkipReason } from '../../../src/core/types';
import { makeTree, removeTree } from './helpers';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await removeTree(r);
});

async function tree(files: Record<string, string | Buffer>): Promise<string> {
  const root = await makeTree(files);
  roots.push(root);
  return root;
}

function reasonOf(skipped: ReadonlyArray<{ path: string; reason: SkipReason }>, p: string): SkipReason | undefined {
  return skipped.find((s) => s.path === p)?.reason;
}

describe('discoverFiles: ignore files', () => {
  it('applies nested .gitignore files relative to their own folder', async () => {
    const root = await tree({
      '.gitignore': '*.log\n/generated/\n',
      'a.ts': 'a',
      'debug.log': 'x',
      'generated/g.ts': 'g',
      'pkg/.gitignore': 'local.ts\n!keep.log\n',
      'pkg/local.ts': 'l',
      'pkg/keep.log': 'k',
      'pkg/generated/ok.ts': 'ok', // `/generated/` is anchored to the root
      'other/local.ts': 'o', // pkg/.gitignore does not speak for other/
    });
    const d = await discoverFiles(root);
    assert.deepEqual(
      d.files.map((f) => f.path),
      ['a.ts', 'other/local.ts', 'pkg/generated/ok.ts', 'pkg/keep.log'],
    );
    assert.equal(reasonOf(d.skipped, 'debug.log'), 'gitignore');
    assert.equal(reasonOf(d.skipped, 'generated/'), 'gitignore');
    assert.equal(reasonOf(d.skipped, 'pkg/local.ts'), 'gitignore');
  });

  it('.semanticignore excludes for the index only and its !patterns re-include gitignored files', async () => {
    const root = await tree({
      '.gitignore': 'notes/\n*.gen.ts\n',
      '.semanticignore': 'drafts/\nfixtures.json\n!notes/\n!api.gen.ts\n',
      'notes/idea.md': '# idea',
      'notes/.gitignore': '*.tmp\n', // a .gitignore inside the re-included folder still counts
      'notes/scratch.tmp': 'x',
      'api.gen.ts': 'export {}',
      'other.gen.ts': 'export {}',
      'drafts/x.md': 'x',
      'fixtures.json': '{}',
      'main.ts': 'm',
    });
    const d = await discoverFiles(root);
    const paths = d.files.map((f) => f.path);
    assert.ok(paths.includes('notes/idea.md'), 'a gitignored folder re-included by .semanticignore');
    assert.ok(paths.includes('api.gen.ts'), 'a gitignored file re-included by .semanticignore');
    assert.ok(paths.includes('main.ts'));
    assert.equal(reasonOf(d.skipped, 'other.gen.ts'), 'gitignore');
    assert.equal(reasonOf(d.skipped, 'notes/scratch.tmp'), 'gitignore');
    assert.equal(reasonOf(d.skipped, 'drafts/'), 'semanticignore');
    assert.equal(reasonOf(d.skipped, 'fixtures.json'), 'semanticignore');
  });

  it('a .semanticignore !path re-includes a single file inside a gitignored folder', async () => {
    const root = await tree({
      '.gitignore': 'generated/\n',
      '.semanticignore': '!generated/schema.ts\n',
      'generated/schema.ts': 's',
      'generated/other.ts': 'o',
      'build/x.js': 'default exclude, not walked',
    });
    const d = await discoverFiles(root);
    assert.deepEqual(d.files.map((f) => f.path).filter((p) => !p.startsWith('.')), ['generated/schema.ts']);
    assert.equal(reasonOf(d.skipped, 'generated/other.ts'), 'gitignore');
    assert.equal(reasonOf(d.skipped, 'build/'), 'default-exclude');
  });
});

describe('discoverFiles: default and security excludes', () => {
  it('matches default excludes in any case, and a case-sensitive .semanticignore !folder/ re-includes only its own spelling', async () => {
    const root = await tree({
      '.semanticignore': '!vendor/\n!*.png\n!.env.example\n',
      'vendor/a.ts': 'a',
      'Vendor/b.ts': 'b',
      'NODE_MODULES/c.ts': 'c',
      'Logo.PNG': 'p',
      'logo.png': 'p',
      'App.Min.JS': 'm',
      '.env.example': 'A=1',
      'Secrets/x.txt': 's',
      'src/Index.ts': 'i',
    });
    const d = await discoverFiles(root);
    assert.deepEqual(d.files.map((f) => f.path), ['logo.png', 'src/Index.ts', 'vendor/a.ts']);
    for (const p of ['Vendor/', 'NODE_MODULES/', 'Logo.PNG', 'App.Min.JS']) assert.equal(reasonOf(d.skipped, p), 'default-exclude', p);
    for (const p of ['.env.example', 'Secrets/']) assert.equal(reasonOf(d.skipped, p), 'security', p);
  });


  it('skips dependencies, build output, lockfiles, minified files and binaries by default, folders once', async () => {
    const files: Record<string, string> = {
      'src/index.ts': 'x',
      'package-lock.json': '{}',
      'yarn.lock': 'y',
      'Cargo.lock': 'c',
      'app.min.js': 'm',
      'logo.png': 'p',
      'fonts/a.woff2': 'f',
      'lib.so': 'o',
      'bundle.zip': 'z',
    };
    for (let i = 0; i < 50; i++) files[`node_modules/pkg${i}/index.js`] = 'x';
    for (const dir of ['dist', 'build', 'out', 'vendor', '.git']) files[`${dir}/x.js`] = 'x';
    const root = await tree(files);
    const d = await discoverFiles(root);
    assert.deepEqual(d.files.map((f) => f.path), ['src/index.ts']);
    for (const p of ['node_modules/', 'dist/', 'build/', 'out/', 'vendor/', '.git/', 'package-lock.json', 'yarn.lock', 'Cargo.lock', 'app.min.js', 'logo.png', 'fonts/a.woff2', 'lib.so', 'bundle.zip']) {
      assert.equal(reasonOf(d.skipped, p), 'default-exclude', p);
    }
    assert.equal(d.skipped.filter((s) => s.path.startsWith('node_modules')).length, 1, 'node_modules reported once, not enumerated');
  });

  it('never returns secrets, even when .semanticignore or include try to re-include them', async () => {
    const root = await tree({
      '.semanticignore': '!.env\n!id_rsa\n!secrets/\n!secrets/x.txt\n!*.pem\n',
      '.gitignore': '.env\n',
      '.env': 'API_KEY=1',
      '.env.production': 'API_KEY=2',
      'id_rsa': 'key',
      'id_ed25519.pub': 'pub',
      'server.pem': 'pem',
      'secrets/x.txt': 'secret',
      'config/credentials.json': '{}',
      '.aws/config': 'x',
      '.npmrc': '//registry/:_authToken=x',
      'ok.ts': 'fine',
    });
    const d = await discoverFiles(root, { include: ['**/*', '.env', 'secrets/x.txt'] });
    const paths = d.files.map((f) => f.path);
    assert.deepEqual(paths.filter((p) => !p.endsWith('ignore')), ['ok.ts']);
    for (const p of ['.env', '.env.production', 'id_rsa', 'id_ed25519.pub', 'server.pem', 'secrets/', 'config/credentials.json', '.aws/', '.npmrc']) {
      assert.equal(reasonOf(d.skipped, p), 'security', p);
    }
  });

  it('does not follow a symlink to a secret', async () => {
    const root = await tree({ 'secrets/token.txt': 't', 'a.ts': 'a' });
    await fs.symlink(path.join(root, 'secrets/token.txt'), path.join(root, 'innocent.txt'));
    const d = await discoverFiles(root);
    assert.deepEqual(d.files.map((f) => f.path), ['a.ts']);
    assert.equal(reasonOf(d.skipped, 'innocent.txt'), 'security');
  });
});

describe('discoverFiles: options, sizes, special files', () => {
  it('include keeps only matching files; exclude removes files and folders', async () => {
    const root = await tree({ 'src/a.ts': 'a', 'src/b.py': 'b', 'src/gen/c.ts': 'c', 'docs/x.md': 'x', 'README.md': 'r' });
    const d = await discoverFiles(root, { include: ['*.ts', 'docs/'], exclude: ['src/gen/'] });
    assert.deepEqual(d.files.map((f) => f.path), ['docs/x.md', 'src/a.ts']);
    assert.equal(reasonOf(d.skipped, 'src/b.py'), 'not-included');
    assert.equal(reasonOf(d.skipped, 'README.md'), 'not-included');
    assert.equal(reasonOf(d.skipped, 'src/gen/'), 'excluded-by-option');
  });

  it('reports size, mtime and POSIX paths; skips too-large and empty files with reasons', async () => {
    const root = await tree({ 'a/b/c.ts': 'hello', 'big.txt': 'x'.repeat(2000), 'empty.ts': '' });
    const d = await discoverFiles(root, { maxFileBytes: 1000 });
    assert.equal(d.files.length, 1);
    const f = d.files[0];
    assert.equal(f.path, 'a/b/c.ts');
    assert.equal(f.absPath, path.join(root, 'a', 'b', 'c.ts'));
    assert.equal(f.size, 5);
    assert.ok(f.mtimeMs > 0);
    assert.deepEqual(d.skipped.find((s) => s.path === 'big.txt'), { path: 'big.txt', reason: 'too-large', detail: '2000 bytes' });
    assert.equal(reasonOf(d.skipped, 'empty.ts'), 'empty');
  });

  it('a symlink loop, a FIFO, a socket and a folder symlink neither hang nor crash', { timeout: 10_000 }, async () => {
    const root = await tree({ 'a.ts': 'a', 'sub/b.ts': 'b' });
    await fs.symlink('loop2', path.join(root, 'loop1'));
    await fs.symlink('loop1', path.join(root, 'loop2'));
    await fs.symlink('.', path.join(root, 'sub', 'self')); // a folder cycle
    await fs.symlink('missing.ts', path.join(root, 'broken.ts'));
    await fs.symlink('a.ts', path.join(root, 'alias.ts'));
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(root, 'sock'), resolve));
    try {
      const d = await discoverFiles(root);
      assert.deepEqual(d.files.map((f) => f.path), ['a.ts', 'alias.ts', 'sub/b.ts']);
      for (const p of ['loop1', 'loop2', 'sub/self', 'broken.ts', 'pipe', 'sock']) {
        assert.equal(reasonOf(d.skipped, p), 'not-a-regular-file', p);
      }
    } finally {
      server.close();
    }
  });

  it('an ignore file that is a FIFO or a folder is not read (no hang), and the rest of the folder is walked', { timeout: 10_000 }, async () => {
    const root = await tree({ 'a.ts': 'a', 'sub/b.ts': 'b', 'sub/c.log': 'c', '.gitignore/x.ts': 'x', '.gitignore-not/y.ts': 'y' });
    execFileSync('mkfifo', [path.join(root, 'sub', '.gitignore')]);
    execFileSync('mkfifo', [path.join(root, '.semanticignore')]);
    const d = await discoverFiles(root);
    assert.deepEqual(d.files.map((f) => f.path), ['.gitignore-not/y.ts', 'a.ts', 'sub/b.ts', 'sub/c.log']);
    assert.equal(reasonOf(d.skipped, '.gitignore/'), 'default-exclude');
    assert.equal(reasonOf(d.skipped, 'sub/.gitignore'), 'default-exclude');
  });

  it('walks a folder of 3,000 files completely, symlinks included', async () => {
    const root = await tree({ '.gitignore': '*.tmp\n' });
    fsSync.mkdirSync(path.join(root, 'big'));
    for (let f = 0; f < 3000; f++) fsSync.writeFileSync(path.join(root, 'big', `f${f}.${f % 100 === 0 ? 'tmp' : 'ts'}`), 'x');
    for (let f = 0; f < 20; f++) fsSync.symlinkSync(`f${f + 1}.ts`, path.join(root, 'big', `link${f}.ts`));
    const d = await discoverFiles(root);
    assert.equal(d.files.length, 2970 + 20);
    assert.equal(d.skipped.filter((s) => s.reason === 'gitignore').length, 30);
  });

  it('reports an unreadable folder instead of failing', { skip: process.getuid?.() === 0 ? 'root reads everything' : false }, async () => {
    const root = await tree({ 'a.ts': 'a', 'locked/b.ts': 'b' });
    await fs.chmod(path.join(root, 'locked'), 0o000);
    try {
      const d = await discoverFiles(root);
      assert.equal(reasonOf(d.skipped, 'locked/'), 'unreadable');
    } finally {
      await fs.chmod(path.join(root, 'locked'), 0o755);
    }
  });

  it('honours an abort signal', async () => {
    const root = await tree({ 'a.ts': 'a' });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(discoverFiles(root, { signal: controller.signal }), { name: 'AbortError' });
  });

  // Speed is measured in the benchmark; here: a 10,000-file tree is walked completely and correctly.
  it('walks a 10,000-file tree, applying its ignore rules to every file', async () => {
    const root = await tree({ '.gitignore': '*.tmp\n' });
    for (let d = 0; d < 100; d++) {
      fsSync.mkdirSync(path.join(root, `d${d}`));
      for (let f = 0; f < 100; f++) fsSync.writeFileSync(path.join(root, `d${d}`, `f${f}.${f % 10 === 0 ? 'tmp' : 'ts'}`), 'x');
    }
    const d = await discoverFiles(root);
    assert.equal(d.files.length, 9000);
    assert.equal(d.skipped.filter((s) => s.reason === 'gitignore').length, 1000);
    assert.ok(d.skipped.some((s) => s.path === '.gitignore' && s.reason === 'default-exclude'), 'ignore files are not indexed');
  });
});
