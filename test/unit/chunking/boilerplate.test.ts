/** Identical licence headers in many files are one chunk text, so they are embedded (and paid for) once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkFile } from '../../../src/core/chunking';

const LICENCE = '/*\n * Copyright (c) 2024 Example Corp.\n * Licensed under the MIT License.\n * See LICENSE in the project root.\n */\n\n';
const fn = (name: string, k: number) =>
  `export function ${name}(x: number) {\n  const y = x * ${k};\n  const z = y + 1;\n  const w = z * z;\n  return w - y + z;\n}\n`;

test('the same licence header in two files has one hash; the code after it keeps its path header', async () => {
  const a = await chunkFile('src/a.ts', LICENCE + fn('alpha', 2));
  const b = await chunkFile('lib/deep/b.ts', LICENCE + fn('beta', 3));
  const [licA, codeA] = a;
  const [licB, codeB] = b;
  assert.deepEqual([licA.startLine, licA.endLine, licA.symbol], [1, 5, '']);
  assert.equal(licA.hash, licB.hash, 'licence chunks share a hash across files');
  assert.ok(!licA.embedText.includes('src/a.ts'));
  assert.equal(codeA.symbol, 'alpha');
  assert.ok(codeA.embedText.includes('path: src/a.ts'), 'ordinary chunks still carry the path header');
  assert.notEqual(codeA.hash, codeB.hash);
});

test('a short comment next to code is not treated as boilerplate', async () => {
  const [c] = await chunkFile('src/c.ts', '// helper\n' + fn('gamma', 4));
  assert.ok(c.embedText.includes('path: src/c.ts'));
});
