/**
 * The keyword side's statistics of a committed local index, regrouped for the team index: per
 * chunk row its field lengths and its (term, value) postings, and per term its document
 * frequency. Read from the serialized BM25F postings themselves, so the remote scores are made
 * of exactly the numbers the local engine scores with (same tokenizer, same tf caps).
 */
import { readKeywordIndex } from '../search/keywordCodec';
import { PostingStore } from '../search/postings';
import { fieldNorms, impactDepth, impactOf, topImpacts, type ImpactList } from './impacts';

export interface RowTerms {
  /** Term ids (into `terms`) and posting values (textTf·4 + inSymbol·2 + inPath) of each row. */
  readonly termIds: Int32Array[];
  readonly values: Int32Array[];
  readonly textLen: Uint32Array;
  readonly symbolLen: Uint32Array;
  readonly pathLen: Uint32Array;
  readonly terms: readonly string[];
  /** Document frequency (live rows) of each term. */
  readonly df: Uint32Array;
  /** Per term with live postings: its impact list in the snapshot (impacts.ts); else undefined. */
  readonly impacts: (ImpactList | undefined)[];
}

/** `wanted(row)`: rows whose postings are needed (the others only count in df and lengths). */
export function rowTerms(keywordBytes: Uint8Array, rows: number, wanted: (row: number) => boolean, depthOf: (df: number) => number = impactDepth): RowTerms {
  const p = readKeywordIndex(keywordBytes, false);
  const ids: number[][] = Array.from({ length: rows }, () => []);
  const vals: number[][] = Array.from({ length: rows }, () => []);
  const store = new PostingStore();
  store.load(p.postings, p.start, p.len, p.count, p.last);
  const norms = fieldNorms(p.textLen, p.symbolLen, p.pathLen, rows);
  const impacts: (ImpactList | undefined)[] = new Array(p.termText.length);
  let maxCount = 0;
  for (let term = 0; term < p.termText.length; term++) maxCount = Math.max(maxCount, p.count[term]);
  const listRows = new Int32Array(maxCount), listTfs = new Float64Array(maxCount);
  for (let term = 0; term < p.termText.length; term++) {
    let count = 0;
    store.forEach(term, (id, value) => {
      if (id >= rows || p.state[id] !== 1) return;
      listRows[count] = id;
      listTfs[count++] = impactOf(value, norms.text[id], norms.symbol[id], norms.path[id]);
      if (wanted(id)) {
        ids[id].push(term);
        vals[id].push(value);
      }
    });
    if (count) impacts[term] = topImpacts(listRows, listTfs, count, depthOf(count));
  }
  return {
    termIds: ids.map((a) => Int32Array.from(a)),
    values: vals.map((a) => Int32Array.from(a)),
    textLen: p.textLen, symbolLen: p.symbolLen, pathLen: p.pathLen, terms: p.termText, df: p.count, impacts,
  };
}
