import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveInsideRoots } from '../../../src/protocol/paths';

const roots = ['/home/me/ws', '/srv/other'];

describe('resolveInsideRoots', () => {
  it('joins a relative POSIX path to its folder', () => {
    assert.equal(resolveInsideRoots('src/a.ts', roots, '/home/me/ws'), '/home/me/ws/src/a.ts');
    assert.equal(resolveInsideRoots('./docs//x.md', roots, '/home/me/ws'), '/home/me/ws/docs/x.md');
  });

  it('accepts an absolute path inside any root', () => {
    assert.equal(resolveInsideRoots('/srv/other/b.md', roots), '/srv/other/b.md');
  });

  it('refuses .. segments, even ones that would stay inside', () => {
    assert.equal(resolveInsideRoots('../secret.txt', roots, '/home/me/ws'), undefined);
    assert.equal(resolveInsideRoots('src/../../etc/passwd', roots, '/home/me/ws'), undefined);
    assert.equal(resolveInsideRoots('src/../a.ts', roots, '/home/me/ws'), undefined);
    assert.equal(resolveInsideRoots('..\\..\\x', roots, '/home/me/ws'), undefined);
  });

  it('refuses absolute paths outside the roots and prefix look-alikes', () => {
    assert.equal(resolveInsideRoots('/etc/passwd', roots, '/home/me/ws'), undefined);
    assert.equal(resolveInsideRoots('/home/me/ws-evil/a.ts', roots), undefined);
    assert.equal(resolveInsideRoots('/home/me/ws', roots), undefined, 'the root itself is not a file inside it');
  });

  it('refuses URIs of any scheme', () => {
    for (const p of ['file:///etc/passwd', 'command:workbench.action.terminal.new', 'vscode://x', 'http://evil', 'FILE:/x', 'javascript:alert(1)']) {
      assert.equal(resolveInsideRoots(p, roots, '/home/me/ws'), undefined, p);
    }
  });

  it('refuses UNC paths, drive-relative paths, control characters and empties', () => {
    for (const p of ['\\\\server\\share\\x', '//server/share/x', 'c:foo', 'a\u0000b', 'a\nb', '', '.', './', 42, null, undefined]) {
      assert.equal(resolveInsideRoots(p, roots, '/home/me/ws'), undefined, String(p));
    }
  });

  it('needs a base that is one of the roots for relative paths', () => {
    assert.equal(resolveInsideRoots('a.ts', roots), undefined);
    assert.equal(resolveInsideRoots('a.ts', roots, '/tmp'), undefined);
    assert.equal(resolveInsideRoots('a.ts', roots, '/home/me/ws/'), '/home/me/ws/a.ts', 'trailing slash on the base is fine');
  });

  it('handles Windows roots case-insensitively and with backslashes', () => {
    const win = ['C:\\Users\\me\\ws'];
    assert.equal(resolveInsideRoots('src\\a.ts', win, 'C:\\Users\\me\\ws'), 'c:/Users/me/ws/src/a.ts');
    assert.equal(resolveInsideRoots('c:/users/ME/ws/b.ts', win), 'c:/users/ME/ws/b.ts');
    assert.equal(resolveInsideRoots('D:\\ws\\a.ts', win), undefined);
    assert.equal(resolveInsideRoots('C:\\Users\\me\\ws2\\a.ts', win), undefined);
  });

  it('allows names that merely contain dots', () => {
    assert.equal(resolveInsideRoots('a..b/.hidden/x...md', roots, '/home/me/ws'), '/home/me/ws/a..b/.hidden/x...md');
  });

  it('works for a root at the file-system root', () => {
    assert.equal(resolveInsideRoots('x.md', ['/'], '/'), '/x.md');
  });
});
