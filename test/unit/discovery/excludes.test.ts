import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ignore from 'ignore';
import { DEFAULT_EXCLUDE_PATTERNS, SECURITY_PATTERNS, compileNameTest, isDefaultExcluded, isSecurityExcluded } from '../../../src/core/discovery/excludes';

/**
 * Names a pattern list should be tried on: each pattern with its `*` filled in several ways, in
 * several cases, with prefixes and suffixes, and with letters swapped for the non-ASCII characters
 * that `toLowerCase`/`toUpperCase` fold into ASCII (Kelvin sign, long s, dotted capital I).
 */
function corpus(patterns: readonly string[]): string[] {
  const fills = ['', 'x', 'a.b', 'X.Y', '.', 'é', '\u212A', ' ', 'min', '.min.'];
  const names = new Set<string>(['readme.md', 'index.ts', 'a', '.a', '...', 'x.', '笔记.md', 'lib.so.1.2', 'a.tfstate.backup']);
  for (const p of patterns) {
    const body = p.replace(/\/$/, '');
    for (const f of fills) {
      for (const g of fills.slice(0, 4)) {
        let i = 0;
        const n = body.replace(/\*/g, () => (i++ === 0 ? f : g));
        for (const v of [n, n.toUpperCase(), n[0]?.toUpperCase() + n.slice(1), `z${n}`, `${n}z`, `${n}.txt`, `a.${n}`,
          n.replace(/k/gi, '\u212A'), n.replace(/s/gi, '\u017F'), n.replace(/i/gi, '\u0130')]) {
          if (v && !v.includes('/') && !/^\.{1,2}$/.test(v)) names.add(v);
        }
      }
    }
  }
  return [...names];
}

function assertSameAsIgnore(patterns: readonly string[], ignorecase: boolean): number {
  const reference = ignore({ ignorecase }).add(patterns as string[]);
  const fast = compileNameTest(patterns, ignorecase);
  let matched = 0;
  for (const name of corpus(patterns)) {
    for (const key of [name, `${name}/`]) {
      const expected = reference.ignores(key);
      assert.equal(fast(key), expected, `${JSON.stringify(key)} (ignorecase ${ignorecase})`);
      if (expected) matched++;
    }
  }
  return matched;
}

describe('excludes: precompiled name tests', () => {
  it('answer exactly as the ignore package does, for files and folders, in any case', () => {
    for (const list of [DEFAULT_EXCLUDE_PATTERNS, SECURITY_PATTERNS]) {
      for (const ignorecase of [true, false]) assert.ok(assertSameAsIgnore(list, ignorecase) > 100, 'the corpus hits the patterns');
    }
  });

  it('leave patterns outside the simple form (?, [...], escapes, negations) to the ignore package', () => {
    assertSameAsIgnore(['?x', '[ab].txt', 'foo\\*', '#comment', '*', 'a*b*c', 'x*/', ' sp', 'é.txt', 'Lit'], true);
    assertSameAsIgnore(['*.log', '!keep.log', 'tmp/'], true);
  });

  it('keep the lists meaning: directory-only patterns, extensions, globs, secrets', () => {
    assert.equal(isDefaultExcluded('node_modules/'), true);
    assert.equal(isDefaultExcluded('Node_Modules/'), true);
    assert.equal(isDefaultExcluded('node_modules'), false, 'a file named like a dependency folder');
    assert.equal(isDefaultExcluded('foo.egg-info/'), true);
    assert.equal(isDefaultExcluded('foo.egg-info'), false);
    assert.equal(isDefaultExcluded('Logo.PNG'), true);
    assert.equal(isDefaultExcluded('logo.png/'), true, 'a pattern without a slash matches folders too');
    assert.equal(isDefaultExcluded('app.min.js'), true);
    assert.equal(isDefaultExcluded('libfoo.so.1'), true);
    assert.equal(isDefaultExcluded('.map'), true);
    assert.equal(isDefaultExcluded('map'), false);
    assert.equal(isDefaultExcluded('index.ts'), false);
    assert.equal(isSecurityExcluded('.env.local'), true);
    assert.equal(isSecurityExcluded('ID_RSA.pub'), true);
    assert.equal(isSecurityExcluded('secrets/'), true);
    assert.equal(isSecurityExcluded('secrets'), false);
    assert.equal(isSecurityExcluded('prod.tfstate.backup'), true);
    assert.equal(isSecurityExcluded('environment.ts'), false);
  });
});
