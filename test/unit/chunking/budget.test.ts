/** Token budgets, splitting fallbacks, headers, hashes and token estimates. */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { CHUNKER_VERSION, chunkFile, estimateTokens, languageForPath } from '../../../src/core/chunking';
import { assertWellFormed, spans } from './helpers';

function bigFunction(statements: number): string {
  const body = Array.from({ length: statements }, (_, i) => `  const value${i} = compute(${i}, 'some argument text ${i}');`);
  return ['import { compute } from "./compute";', '', '/** Does a lot. */', 'export function bigFunction(): void {', ...body, '}', '', 'export function small(): number {', '  return 1;', '}', ''].join('\n');
}

const CHINESE_SENTENCE = '语义搜索让开发者用自然语言查找代码和笔记，而不必记住确切的关键词。';

describe('chunkFile: budgets', () => {
  it('splits a function over the budget into consecutive pieces with the same symbol', async () => {
    const text = bigFunction(400);
    const chunks = await chunkFile('src/big.ts', text);
    assertWellFormed(text, chunks);
    const big = chunks.filter((c) => c.symbol === 'bigFunction');
    assert.ok(big.length >= 3, `split into ${big.length}`);
    assert.deepEqual(spans(chunks.slice(0, 1)), [[1, 1, '']], 'the import cannot fold into a full piece: own chunk');
    assert.equal(big[0].startLine, 3);
    assert.ok(big[0].text.includes('/** Does a lot. */'), 'leading doc comment kept with the function');
    assert.equal(big[big.length - 1].endLine, 405, 'the closing brace is in the last piece');
    for (let i = 1; i < big.length; i++) assert.equal(big[i].startLine, big[i - 1].endLine + 1, 'no gaps, no overlap');
    assert.deepEqual(spans(chunks.filter((c) => c.symbol === 'small')), [[407, 409, 'small']]);
  });

  it('never exceeds the budget on long Chinese Markdown sections, even a paragraph without line breaks', async () => {
    const longLine = CHINESE_SENTENCE.repeat(150); // ~4,800 CJK characters on one line
    const paragraphs = Array.from({ length: 40 }, (_, i) => `第${i}段：${CHINESE_SENTENCE.repeat(3)}`).join('\n\n');
    const text = `---\ntitle: 中文笔记\ntags: [搜索, 笔记]\n---\n\n# 概述\n\n${paragraphs}\n\n## 细节\n\n${longLine}\n\n### 小结\n\n${CHINESE_SENTENCE}\n`;
    for (const maxTokens of [300, 1000, 7500]) {
      const chunks = await chunkFile('notes/zh.md', text, { maxTokens });
      assertWellFormed(text, chunks, maxTokens);
      for (const c of chunks) assert.ok(estimateTokens(c.embedText) <= maxTokens);
    }
    const chunks = await chunkFile('notes/zh.md', text);
    assert.ok(chunks.some((c) => c.symbol === '概述' && c.startLine > 6), 'big section split by paragraphs');
    assert.ok(chunks.filter((c) => c.symbol === '概述 › 细节').length >= 3, 'the long line is cut by characters');
    assert.ok(chunks.every((c) => c.embedText.includes('title: 中文笔记')));
  });

  it('clamps maxTokens to 7500 and never produces a chunk near the 8,192 provider limit', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i}: ${CHINESE_SENTENCE}`).join('\n');
    const chunks = await chunkFile('notes/huge.txt', text, { maxTokens: 100_000 });
    assertWellFormed(text, chunks, 7500);
    assert.ok(Math.max(...chunks.map((c) => c.tokens)) > 5000, 'chunks do use the large budget');
  });

  it('cuts a single enormous line (minified code) by characters', async () => {
    const text = `var a=${'[1,2,3],'.repeat(20_000)}0;\n`;
    const chunks = await chunkFile('lib/app.js', text);
    assert.ok(chunks.length > 30);
    assertWellFormed(text, chunks);
  });

  it('uses line windows with overlap for code without a grammar', async () => {
    const text = Array.from({ length: 400 }, (_, i) => `val item${i} = compute(${i}) // kotlin has no grammar here`).join('\n');
    const chunks = await chunkFile('src/Main.kt', text, { maxTokens: 300 });
    assertWellFormed(text, chunks, 300);
    assert.equal(chunks[0].language, 'kotlin');
    assert.equal(chunks[0].kind, 'code');
    assert.equal(chunks[1].startLine, chunks[0].endLine - 1, 'two lines of overlap');
  });

  it('groups prose by paragraphs in text files', async () => {
    const para = (i: number): string => `Paragraph ${i} talks about mail storage.\nIt has two lines.`;
    const text = Array.from({ length: 60 }, (_, i) => para(i)).join('\n\n') + '\n';
    const chunks = await chunkFile('docs/notes.txt', text, { maxTokens: 200 });
    assertWellFormed(text, chunks, 200);
    assert.ok(chunks.every((c) => c.kind === 'doc' && c.language === 'plaintext' && c.symbol === ''));
    assert.ok(chunks.every((c) => /^Paragraph \d+/.test(c.text) && c.text.endsWith('It has two lines.')), 'cuts fall between paragraphs');
  });
});

describe('chunkFile: text handling and headers', () => {
  it('keeps CRLF inside chunk texts and counts lines by \\n', async () => {
    const text = 'import os\r\n\r\n\r\ndef f():\r\n    return 1\r\n\r\n\r\ndef g():\r\n    return 2\r\n';
    const chunks = await chunkFile('a.py', text);
    assert.deepEqual(spans(chunks), [[1, 5, 'f'], [8, 9, 'g']]);
    assert.equal(chunks[1].text, 'def g():\r\n    return 2\r');
  });

  it('builds embed text = header + text; hash = sha256 of the embed text; deterministic', async () => {
    const text = 'export function len(): number {\n  return 1;\n}\n';
    const [a] = await chunkFile('src/mail/box.ts', text);
    assert.equal(a.embedText, '// path: src/mail/box.ts\n// symbol: len\n' + a.text);
    assert.equal(a.hash, crypto.createHash('sha256').update(a.embedText).digest('hex').slice(0, 32));
    assert.equal(a.tokens, estimateTokens(a.embedText));
    const [b] = await chunkFile('src/mail/box.ts', text);
    assert.deepEqual(b, a);
    const [moved] = await chunkFile('src/other.ts', text);
    assert.notEqual(moved.hash, a.hash, 'the path is part of what is embedded');
    assert.equal((await chunkFile('a.py', 'x = 1\n'))[0].embedText, '# path: a.py\n# symbol: x\nx = 1');
    assert.ok(CHUNKER_VERSION.length > 0);
  });

  it('returns no chunks for blank text and tolerates a BOM', async () => {
    assert.deepEqual(await chunkFile('a.ts', ''), []);
    assert.deepEqual(await chunkFile('a.ts', ' \n\t\n'), []);
    const [c] = await chunkFile('a.md', '\uFEFF# Title\nText\n');
    assert.deepEqual([c.startLine, c.endLine, c.symbol, c.text], [1, 2, 'Title', '# Title\nText']);
  });

  it('survives source that does not parse', async () => {
    const text = 'function (((( {\n  ]]] oops\n}\n\nclass { {\n';
    assertWellFormed(text, await chunkFile('broken.ts', text));
  });
});

describe('estimateTokens and languageForPath', () => {
  it('is CJK-aware and at least the provider counts of the contract fixtures', () => {
    assert.ok(estimateTokens('hello world') >= 3);
    assert.ok(estimateTokens('你好，世界') >= 4);
    assert.ok(estimateTokens('I like it and will buy from here again') >= 10);
    // Short symbol-dense code runs ~2.5 chars/token (13 measured): the per-text estimate is 11 here.
    // Chunks are code at ~4.5 chars/token on average, and the 7,500 cap leaves 9% room below 8,192.
    assert.ok(estimateTokens('def add(a, b):\n    return a + b\n') >= 11);
    assert.equal(estimateTokens('中'.repeat(1000)), 701); // 0.7/char + 1: above the measured 0.62
    assert.equal(estimateTokens('a'.repeat(3500)), 1001); // 3.5 chars/token + 1
    assert.equal(estimateTokens('𠀀𠀁'), 3, 'supplementary-plane ideographs count once each');
  });

  it('maps extensions and file names to VS Code language ids', () => {
    const cases: Record<string, string> = {
      'a.ts': 'typescript', 'a.tsx': 'typescriptreact', 'a.mjs': 'javascript', 'a.py': 'python', 'a.go': 'go',
      'A.java': 'java', 'a.rs': 'rust', 'a.cs': 'csharp', 'a.c': 'c', 'a.h': 'c', 'a.cpp': 'cpp', 'a.rb': 'ruby',
      'a.php': 'php', 'run.sh': 'shellscript', 'a.css': 'css', 'README.md': 'markdown', 'x.mdx': 'markdown',
      'notes.txt': 'plaintext', 'doc.rst': 'restructuredtext', 'Dockerfile': 'dockerfile', 'LICENSE': 'plaintext',
      'dir.v2/Makefile': 'makefile', 'conf.yaml': 'yaml',
    };
    for (const [p, lang] of Object.entries(cases)) assert.equal(languageForPath(p), lang, p);
  });

  it('loads every shipped grammar', async () => {
    const samples: Record<string, string> = {
      'a.tsx': 'export function App() {\n  return <div />;\n}\n',
      'a.cs': 'class Box {\n  int Len() { return 1; }\n}\n',
      'a.cpp': 'int Foo::bar() {\n  return 1;\n}\n',
      'a.rb': 'class Box\n  def len\n    1\n  end\nend\n',
      'a.php': '<?php\nfunction f() {\n  return 1;\n}\n',
      'a.sh': 'foo() {\n  echo hi\n}\n',
      'a.css': '.a {\n  color: red;\n}\n',
    };
    const symbols: Record<string, string> = { 'a.tsx': 'App', 'a.cs': 'Box', 'a.cpp': 'Foo.bar', 'a.rb': 'Box', 'a.php': 'f', 'a.sh': 'foo', 'a.css': '.a' };
    for (const [p, text] of Object.entries(samples)) {
      const chunks = await chunkFile(p, text);
      assert.equal(chunks.at(-1)?.symbol, symbols[p], p);
      assertWellFormed(text, chunks);
    }
  });
});
