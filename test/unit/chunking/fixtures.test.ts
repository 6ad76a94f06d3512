/** Exact chunk spans of the fixture files, one per language. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkFile } from '../../../src/core/chunking';
import { assertWellFormed, fixture, spans } from './helpers';

async function check(name: string, expected: Array<[number, number, string]>, maxTokens?: number): Promise<void> {
  const text = fixture(name);
  const chunks = await chunkFile(`src/${name}`, text, maxTokens ? { maxTokens } : {});
  assert.deepEqual(spans(chunks), expected);
  assertWellFormed(text, chunks, maxTokens);
}

describe('chunkFile: syntax-aware spans', () => {
  it('TypeScript: imports packed, doc comments and decorators kept, default export folded', () =>
    check('mailbox.ts', [
      [1, 5, ''], // imports + constants
      [7, 11, 'MailboxOptions'], // with its /** doc */
      [13, 13, 'Folder'], // a named one-liner keeps its own chunk
      [15, 39, 'Mailbox'], // JSDoc + @sealed + class
      [41, 44, 'normalizeFolder'], // arrow function constant
      [46, 50, 'sealed'], // + the trailing `export default Mailbox;`
    ]));

  it('TypeScript: a class over the budget is split into members', () =>
    check(
      'mailbox.ts',
      [
        [1, 5, ''],
        [7, 11, 'MailboxOptions'],
        [13, 13, 'Folder'],
        [15, 20, 'Mailbox'], // header: doc, decorator, class line, field
        [22, 24, 'Mailbox.constructor'],
        [26, 29, 'Mailbox.length'],
        [31, 36, 'Mailbox.add'], // still too big: split by statements
        [37, 39, 'Mailbox.add'],
        [41, 44, 'normalizeFolder'],
        [46, 50, 'sealed'],
      ],
      120,
    ));

  it('JavaScript: functions, classes and module glue', () =>
    check('mailbox.js', [
      [1, 3, ''],
      [5, 12, 'readMailbox'],
      [14, 26, 'MailboxFile'],
      [28, 30, ''],
    ]));

  it('Python: docstrings, decorators, comments above definitions', () =>
    check('mailbox.py', [
      [1, 7, ''], // module docstring, imports, constants
      [10, 12, '_normalize'],
      [15, 21, 'Message'], // comment + @dataclass + class
      [24, 46, 'Mailbox'],
      [49, 51, ''],
    ]));

  it('Python: a class split into its methods (Mailbox.__len__)', () =>
    check(
      'mailbox.py',
      [
        [1, 7, ''],
        [10, 12, '_normalize'],
        [15, 21, 'Message'],
        [24, 28, 'Mailbox'], // class line + docstring
        [30, 32, 'Mailbox.__init__'],
        [34, 36, 'Mailbox.__len__'],
        [38, 40, 'Mailbox.empty'], // with @property
        [42, 46, 'Mailbox.add'], // with its leading comment
        [49, 51, ''],
      ],
      150,
    ));

  it('Go: methods named by receiver ((*Mailbox).Len → Mailbox.Len)', () =>
    check('mailbox.go', [
      [1, 10, ''],
      [12, 16, 'Message'],
      [18, 22, 'Mailbox'],
      [24, 27, 'Mailbox.Len'],
      [29, 36, 'Mailbox.Add'],
      [38, 42, 'Mailbox.Sorted'],
      [44, 47, 'New'],
    ]));

  it('Java: annotations and Javadoc stay with their declaration', () =>
    check('Mailbox.java', [
      [1, 4, ''],
      [6, 34, 'Mailbox'],
      [36, 38, 'Store'],
    ]));

  it('Java: a class split into methods', () =>
    check(
      'Mailbox.java',
      [
        [1, 4, ''],
        [6, 12, 'Mailbox'],
        [14, 16, 'Mailbox.Mailbox'],
        [18, 21, 'Mailbox.size'],
        [23, 26, 'Mailbox.toString'],
        [28, 34, 'Mailbox.add'],
        [36, 38, 'Store'],
      ],
      120,
    ));

  it('Rust: doc comments and attributes attach; impl blocks', () =>
    check('mailbox.rs', [
      [1, 5, ''],
      [7, 12, 'Message'],
      [14, 17, 'Mailbox'],
      [19, 37, 'Mailbox'],
      [39, 43, 'Mailbox'],
      [45, 47, 'Store'],
    ]));

  it('Rust: impl Foo split into Foo.method', () =>
    check(
      'mailbox.rs',
      [
        [1, 5, ''],
        [7, 12, 'Message'],
        [14, 17, 'Mailbox'],
        [19, 23, 'Mailbox.new'], // `impl Mailbox {` folds into the first method
        [25, 28, 'Mailbox.len'],
        [30, 37, 'Mailbox.add'], // #[inline] + the closing brace of the impl
        [39, 43, 'Mailbox'],
        [45, 47, 'Store'],
      ],
      120,
    ));

  it('C (through the C++ grammar): functions, structs, typedefs, prototypes', () =>
    check('mailbox.c', [
      [1, 5, ''],
      [7, 10, 'message'],
      [12, 15, 'mailbox_t'],
      [17, 17, 'clamp'], // the prototype
      [19, 22, 'mailbox_len'],
      [24, 34, 'mailbox_add'],
      [36, 38, 'clamp'],
      [40, 45, 'main'],
    ]));
});

describe('chunkFile: Markdown', () => {
  it('sections by heading with breadcrumbs; frontmatter in the header; fences kept whole', async () => {
    const text = fixture('guide.md');
    const chunks = await chunkFile('notes/guide.md', text);
    assert.deepEqual(spans(chunks), [
      [6, 6, ''], // the intro; the frontmatter (lines 1-4) is metadata, in every header
      [8, 10, 'Setup'],
      [12, 20, 'Setup › Install'], // the fenced block with a blank line inside stays here
      [22, 24, 'Setup › Install › Linux'],
      [26, 28, 'Setup › Configure'],
      [30, 34, 'Usage › Reading mail'], // the lone `# Usage` heading joins its first subsection
    ]);
    assertWellFormed(text, chunks, 1000, 4);
    assert.ok(chunks.every((c) => c.kind === 'doc' && c.language === 'markdown'));
    assert.equal(
      chunks[2].embedText,
      'path: notes/guide.md · Setup › Install\ntitle: Mailbox Guide\ntags: mail, setup\n' + chunks[2].text,
    );
  });

  it('never makes the frontmatter a hit of its own; malformed or lone frontmatter stays text', async () => {
    const spansOf = async (text: string) => spans(await chunkFile('notes/n.md', text));
    const head = '---\ntitle: pg_dump 笔记\ntags: [postgres]\n---\n';
    assert.deepEqual(await spansOf(`${head}# 备份\n\n用 pg_dump 导出数据库。\n`), [[5, 7, '备份']]);
    assert.deepEqual(await spansOf('---\ntitle: [unclosed\n---\n# A\n\nbody text\n'), [[1, 3, ''], [4, 6, 'A']]);
    assert.deepEqual(await spansOf(head), [[1, 4, '']]);
  });

  it('keeps underscores inside words in heading titles; strips emphasis markers', async () => {
    const symbols = async (text: string) => (await chunkFile('notes/n.md', text)).map((c) => c.symbol);
    assert.deepEqual(await symbols('# pg_dump 笔记\n\n备份数据库。\n'), ['pg_dump 笔记']);
    assert.deepEqual(await symbols('# **Bold** _em_ and `__init__`\n\ntext\n'), ['Bold em and __init__']);
    assert.deepEqual(await symbols('# my_var_x [see_also](http://x)\n\ntext\n'), ['my_var_x see_also']);
  });
});
