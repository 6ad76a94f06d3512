/** Shared checks for the chunking tests. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Chunk } from '../../../src/core/types';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/chunking');

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** [startLine, endLine, symbol] of each chunk: what the span tests compare. */
export function spans(chunks: readonly Chunk[]): Array<[number, number, string]> {
  return chunks.map((c) => [c.startLine, c.endLine, c.symbol]);
}

/**
 * Every non-blank line of the file is in some chunk, each chunk's text is exactly its lines
 * (or, for a line cut by characters, the cut pieces rebuild the line), and every field is filled.
 */
/** `metadataLines`: lines at the top (valid YAML frontmatter) that no chunk may hold; found when left out. */
export function assertWellFormed(text: string, chunks: readonly Chunk[], maxTokens = 1000, metadataLines?: number): void {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  metadataLines ??= lines[0]?.trimEnd() === '---' && chunks.every((c) => c.startLine > 1) ? lines.findIndex((l, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(l)) + 1 : 0;
  const covered = new Uint8Array(lines.length + 1);
  const partial = new Map<number, string>();
  for (const c of chunks) {
    assert.ok(c.startLine >= 1 && c.endLine >= c.startLine && c.endLine <= lines.length, `bad span ${c.startLine}-${c.endLine}`);
    assert.ok(c.path && c.language && (c.kind === 'code' || c.kind === 'doc') && typeof c.symbol === 'string');
    assert.match(c.hash, /^[0-9a-f]{32}$/);
    assert.ok(c.embedText.endsWith(c.text), 'embed text = header + text');
    assert.ok(c.tokens > 0 && c.tokens <= maxTokens, `chunk ${c.startLine}-${c.endLine} has ${c.tokens} tokens > ${maxTokens}`);
    const own = lines.slice(c.startLine - 1, c.endLine).join('\n');
    // A piece of one line carries its columns (so a hit opens and shows that piece only); whole lines carry none.
    if (c.startColumn !== undefined) {
      assert.equal(c.startLine, c.endLine, 'columns only on a single line');
      assert.equal(lines[c.startLine - 1].slice(c.startColumn - 1, c.endColumn), c.text, `columns ${c.startColumn}-${c.endColumn} of line ${c.startLine} are the chunk's text`);
    } else assert.equal(c.endColumn, undefined);
    if (c.text === own && c.startColumn === undefined) {
      for (let l = c.startLine; l <= c.endLine; l++) covered[l] = 1;
    } else {
      assert.equal(c.startLine, c.endLine, 'only a single over-long line may be cut by characters');
      assert.ok(c.startColumn !== undefined, 'a piece of a line has a column span');
      partial.set(c.startLine, (partial.get(c.startLine) ?? '') + c.text);
    }
  }
  for (const [line, rebuilt] of partial) {
    if (!covered[line]) assert.equal(rebuilt, lines[line - 1], `line ${line} rebuilt from its pieces`);
    covered[line] = 1;
  }
  lines.forEach((l, i) => {
    if (i < metadataLines) assert.ok(!covered[i + 1], `frontmatter line ${i + 1} is in a chunk`);
    else if (/\S/.test(l)) assert.ok(covered[i + 1], `line ${i + 1} lost: ${JSON.stringify(l.slice(0, 60))}`);
  });
}
