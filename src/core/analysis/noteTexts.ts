/**
 * Which files are notes, and their texts (for topic names and keyword fallbacks), read back through
 * `AnalysisInput.readText` because the index stores vectors, not texts.
 */
import type { AnalysisInput } from '../engineTypes';
import { computeFileVectors, notesMatcher, type FileVectors } from './vectors';

/** Enough text to name a topic; bounds the cost of naming a vault with very long notes. */
const MAX_CHARS_PER_FILE = 20_000;

/** One vector per note (files matching the notes globs). */
export function notesOf(input: AnalysisInput, globs?: readonly string[]): FileVectors {
  const isNote = notesMatcher(globs);
  return computeFileVectors(input, (c) => isNote(c.path));
}

/** The text of every file of `files` (its chunks in line order), `''` for unreadable ones. */
export async function readFileTexts(input: AnalysisInput, files: FileVectors, maxChars = MAX_CHARS_PER_FILE): Promise<string[]> {
  const out: string[] = [];
  for (const list of files.chunkIndices) {
    let text = '';
    let lastEnd = 0;
    for (const ci of list) {
      const chunk = input.chunks[ci];
      // Overlapping windows would repeat lines and skew term counts; skip fully covered chunks.
      if (chunk.endLine <= lastEnd) continue;
      const t = (await input.readText(chunk)) ?? '';
      text += (text ? '\n' : '') + t;
      lastEnd = chunk.endLine;
      if (text.length >= maxChars) break;
    }
    out.push(text.slice(0, maxChars));
  }
  return out;
}
