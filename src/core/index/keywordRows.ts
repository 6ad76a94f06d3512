/** Postings of one new chunk row, shared by the full write (generation.ts) and a live update's delta. */
import type { KeywordIndex } from '../search/keywordIndex';
import { scrubSecrets } from '../security/scrub';
import { tokenize } from '../text/tokenize';
import type { CountedTerms } from '../text/termPack';
import type { ScannedFile } from './scan';

export type EmbedTerms = (embedText: string) => readonly string[] | undefined;
/** The keyword terms of a chunk's text (by chunk hash), counted when it was packed (tried before `EmbedTerms`). */
export type KeywordTerms = (hash: string) => CountedTerms | undefined;

export function addChunkPostings(kw: KeywordIndex, id: number, c: ScannedFile['chunks'][number], embedTerms?: EmbedTerms, keywordTerms?: KeywordTerms): void {
  // Postings come from scrubbed text too: a secret must not sit in the local index either.
  const text = c.embedText.endsWith(c.text) ? c.text : scrubSecrets(c.text).text;
  kw.add(id, { text, symbol: c.symbol, path: c.path }, keywordTerms?.(c.hash) ?? (embedTerms && textTerms(c.embedText, text, embedTerms)));
}

/**
 * `tokenize(text)` from the tokens of the embed text, which is the header + the text (unless the
 * secret scrubber changed something). A header ending in a newline cannot join a token with the
 * text, so the text's tokens are exactly the embed text's minus the header's.
 */
function textTerms(embedText: string, text: string, embedTerms: EmbedTerms): readonly string[] | undefined {
  const head = embedText.length - text.length;
  if (head < 0 || (head > 0 && embedText.charCodeAt(head - 1) !== 10) || !embedText.endsWith(text)) return undefined;
  const all = embedTerms(embedText);
  if (!all) return undefined;
  if (head === 0) return all;
  const skip = tokenize(embedText.slice(0, head)).length;
  return skip <= all.length ? all.slice(skip) : undefined;
}
