import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeFrontMatterTags } from '../../../src/extension/frontMatter';

describe('mergeFrontMatterTags (Apply in the Tags section)', () => {
  it('creates front matter when there is none', () => {
    assert.equal(mergeFrontMatterTags('# Note\n', ['bug', 'ux']), '---\ntags: [bug, ux]\n---\n\n# Note\n');
  });

  it('merges into an inline list without duplicates', () => {
    const out = mergeFrontMatterTags('---\ntitle: x\ntags: [bug]\n---\nbody', ['bug', '文档']);
    assert.equal(out, '---\ntitle: x\ntags: [bug, 文档]\n---\nbody');
  });

  it('appends to a block list in the same style', () => {
    const out = mergeFrontMatterTags('---\ntags:\n  - bug\ntitle: x\n---\nbody', ['ux', 'bug']);
    assert.equal(out, '---\ntags:\n  - bug\n  - ux\ntitle: x\n---\nbody');
  });

  it('adds a tags line to front matter that has none, quoting odd labels', () => {
    const out = mergeFrontMatterTags('---\ntitle: x\n---\nbody', ['a: b']);
    assert.equal(out, '---\ntitle: x\ntags: ["a: b"]\n---\nbody');
  });
});
