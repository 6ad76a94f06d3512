/**
 * The texts of a search's first hits, read back from their files as snippets are (the index keeps
 * no chunk text). One reader per search: each file is read at most once, synchronously, because
 * ranking is synchronous and only the first few dozen hits are asked for. A file that is gone or
 * shorter than the chunk gives no text, and the refinements skip that hit.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChunkInfo } from '../types';
import type { TextOf } from './refine';

export function fileTextReader(root: string): TextOf {
  const files = new Map<string, string[] | null>();
  return (_id: number, chunk: ChunkInfo) => {
    let lines = files.get(chunk.path);
    if (lines === undefined) {
      try {
        lines = fs.readFileSync(path.join(root, ...chunk.path.split('/')), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
      } catch {
        lines = null;
      }
      files.set(chunk.path, lines);
    }
    if (!lines || chunk.endLine > lines.length) return undefined;
    if (chunk.startColumn !== undefined && chunk.endColumn !== undefined) return lines[chunk.startLine - 1].slice(chunk.startColumn - 1, chunk.endColumn);
    return lines.slice(chunk.startLine - 1, chunk.endLine).join('\n');
  };
}
