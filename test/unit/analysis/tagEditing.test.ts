import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { addTagsToFrontmatter, commentTagLine, FrontmatterEditError } from '../../../src/core/analysis';

/**
 * Asserts `after` is `before` with exactly one contiguous insertion (or replacement of
 * `replaced`), i.e. every other byte survived; returns the inserted text.
 */
function editOf(before: string, after: string): { removed: string; inserted: string } {
  let p = 0;
  while (p < before.length && p < after.length && before[p] === after[p]) p++;
  let s = 0;
  while (s < before.length - p && s < after.length - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  return { removed: before.slice(p, before.length - s), inserted: after.slice(p, after.length - s) };
}

function tagsOf(markdown: string): unknown {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(markdown);
  assert.ok(m, 'has frontmatter');
  return (parse(m[1]) ?? {}).tags;
}

describe('addTagsToFrontmatter', () => {
  it('creates the frontmatter when there is none, body untouched', () => {
    const before = '# Title\n\nText.\n';
    const after = addTagsToFrontmatter(before, ['a', 'b']);
    assert.equal(after, '---\ntags:\n  - a\n  - b\n---\n# Title\n\nText.\n');
  });

  it('keeps a BOM first and CRLF line endings when creating', () => {
    const before = '\uFEFF# 标题\r\n正文\r\n';
    const after = addTagsToFrontmatter(before, ['数据库']);
    assert.equal(after, '\uFEFF---\r\ntags:\r\n  - 数据库\r\n---\r\n# 标题\r\n正文\r\n');
  });

  it('appends to an inline list, keeping comments and everything else', () => {
    const before = '---\ntitle: "Note"   # a comment\ntags: [a, b] # keep me\ndate: 2024-01-01\n---\nbody\n';
    const after = addTagsToFrontmatter(before, ['c', 'A', 'd']);
    assert.deepEqual(editOf(before, after), { removed: '', inserted: ', c, d' });
    assert.equal(after, '---\ntitle: "Note"   # a comment\ntags: [a, b, c, d] # keep me\ndate: 2024-01-01\n---\nbody\n');
  });

  it('fills an empty inline list', () => {
    const before = '---\ntags: []\n---\n';
    assert.equal(addTagsToFrontmatter(before, ['x', 'y']), '---\ntags: [x, y]\n---\n');
  });

  it('appends to a block list with its indentation, in a CRLF file with a BOM', () => {
    const before = '\uFEFF---\r\n# leading comment\r\ntitle: Note\r\ntags:\r\n    - one   # first\r\n    - two\r\n# trailing comment\r\nother: 1\r\n---\r\nbody\r\n';
    const after = addTagsToFrontmatter(before, ['three', 'two', '#four']);
    assert.equal(after, before.replace('    - two\r\n', '    - two\r\n    - three\r\n    - four\r\n'));
    assert.equal(editOf(before, after).removed, '');
    assert.deepEqual(tagsOf(after), ['one', 'two', 'three', 'four']);
    assert.ok(!/[^\r]\n/.test(after), 'no bare LF introduced');
  });

  it('handles a block list at column 0', () => {
    const before = '---\ntags:\n- a\nx: 1\n---\n';
    assert.equal(addTagsToFrontmatter(before, ['b']), '---\ntags:\n- a\n- b\nx: 1\n---\n');
  });

  it('turns a single string into a list, touching only the value', () => {
    const before = '---\ntitle: t\ntags: idea # why\n---\n';
    const after = addTagsToFrontmatter(before, ['draft']);
    assert.equal(after, '---\ntitle: t\ntags: [idea, draft] # why\n---\n');
    const commaString = addTagsToFrontmatter('---\ntags: "a, b"\n---\n', ['c']);
    assert.deepEqual(tagsOf(commaString), ['a', 'b', 'c']);
  });

  it('fills an empty `tags:` and adds a missing key before the closing fence', () => {
    assert.equal(addTagsToFrontmatter('---\ntags:\ntitle: t\n---\n', ['a']), '---\ntags: [a]\ntitle: t\n---\n');
    const before = '---\r\ntitle: t  # c\r\n---\r\nbody';
    const after = addTagsToFrontmatter(before, ['a']);
    assert.deepEqual(editOf(before, after), { removed: '', inserted: 'tags:\r\n  - a\r\n' });
    assert.equal(addTagsToFrontmatter('---\n---\nbody', ['a']), '---\ntags:\n  - a\n---\nbody');
  });

  it('adds no duplicates and returns the text unchanged when nothing is new', () => {
    const before = '---\ntags: [Rust, cli]\n---\n';
    assert.equal(addTagsToFrontmatter(before, ['rust', '#cli', ' CLI ']), before);
    assert.equal(addTagsToFrontmatter(before, []), before);
  });

  it('quotes tags that YAML would misread', () => {
    const after = addTagsToFrontmatter('---\ntags: [a]\n---\n', ['C++', '2024', 'a: b', 'yes', 'multi word', '中文标签']);
    assert.deepEqual(tagsOf(after), ['a', 'C++', '2024', 'a: b', 'yes', 'multi word', '中文标签']);
    const block = addTagsToFrontmatter('---\ntags:\n  - a\n---\n', ['[x]', '#hash', '-dash']);
    assert.deepEqual(tagsOf(block), ['a', '[x]', 'hash', '-dash']);
  });

  it('refuses to edit invalid or unusual frontmatter instead of corrupting it', () => {
    assert.throws(() => addTagsToFrontmatter('---\ntags: [a\nb: {\n---\n', ['x']), FrontmatterEditError);
    assert.throws(() => addTagsToFrontmatter('---\n- just\n- a list\n---\n', ['x']), FrontmatterEditError);
    assert.throws(() => addTagsToFrontmatter('---\ntags: {a: 1}\n---\n', ['x']), FrontmatterEditError);
  });

  it('treats an unclosed fence as no frontmatter', () => {
    const before = '---\nnot closed\n';
    assert.equal(addTagsToFrontmatter(before, ['a']), '---\ntags:\n  - a\n---\n---\nnot closed\n');
  });
});

describe('commentTagLine', () => {
  it('uses the language comment syntax', () => {
    assert.equal(commentTagLine('typescript', ['a', 'b']), '// tags: a, b');
    assert.equal(commentTagLine('python', ['数据库', 'a', 'A']), '# tags: 数据库, a');
    assert.equal(commentTagLine('sql', ['x']), '-- tags: x');
    assert.equal(commentTagLine('html', ['x']), '<!-- tags: x -->');
    assert.equal(commentTagLine('css', ['x']), '/* tags: x */');
    assert.equal(commentTagLine('unknown-lang', ['x']), '// tags: x');
  });
});
