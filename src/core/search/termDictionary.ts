/**
 * Term text ↔ term id of a `KeywordIndex`. A built dictionary keeps a Map. A loaded one starts
 * without it (a 177k-entry Map costs ~0.1 s to fill): its text is sorted, so lookups
 * binary-search it until the first `add` asks for the Map (`withMap`). Terms interned without
 * the Map — a live update's few new terms, `KeywordIndex.absorb` — go beside the sorted part:
 * building the whole Map there cost ~250 ms at 60k chunks on the first search after every update.
 */
import { runSteps, type Steps } from '../slices';

/** Terms copied between two yields of `copySteps`. */
const COPY_STEP = 65536;

function* copyMapSteps(src: Map<string, number>): Steps<Map<string, number>> {
  const out = new Map<string, number>();
  let i = 0;
  for (const [k, v] of src) {
    out.set(k, v);
    if (++i % COPY_STEP === 0) yield;
  }
  return out;
}

export class TermDictionary {
  private map: Map<string, number> | undefined;
  /** Without `map`: `text[0, sorted)` is binary-searched, later terms are in `appended`. */
  private sorted = 0;
  private appended: Map<string, number> | undefined;

  private constructor(readonly text: string[]) {}

  static empty(): TermDictionary {
    const d = new TermDictionary([]);
    d.map = new Map();
    return d;
  }

  /** The dictionary of a deserialized index (its term texts, in id order). */
  static loaded(text: string[]): TermDictionary {
    return runSteps(TermDictionary.loadedSteps(text));
  }

  /** `loaded` in steps of a few ten thousand comparisons (slices.ts). */
  static *loadedSteps(text: string[]): Steps<TermDictionary> {
    const d = new TermDictionary(text);
    let sorted = true;
    for (let i = 1; i < text.length && sorted; i++) {
      sorted = text[i - 1] < text[i];
      if ((i & 32767) === 0) yield;
    }
    if (sorted) d.sorted = text.length;
    else d.withMap();
    return d;
  }

  /** An independent copy (interning into it leaves this one as it is). */
  copy(): TermDictionary {
    return runSteps(this.copySteps());
  }

  /**
   * `copy` in steps of COPY_STEP terms (slices.ts): at ~1M terms (60 MB of C headers) the text
   * array and a Map copy took 16 ms in one piece of a host's sliced open. Nothing may intern
   * into this dictionary until the copy is done.
   */
  *copySteps(): Steps<TermDictionary> {
    const src = this.text, n = src.length;
    const text: string[] = [];
    for (let i = 0; i < n; i++) {
      text.push(src[i]);
      if (i % COPY_STEP === COPY_STEP - 1) yield;
    }
    const d = new TermDictionary(text);
    d.map = this.map && (yield* copyMapSteps(this.map));
    d.sorted = this.sorted;
    d.appended = this.appended && (yield* copyMapSteps(this.appended));
    return d;
  }

  get size(): number {
    return this.text.length;
  }

  /** The term's id, or −1 when no chunk has it. */
  id(t: string): number {
    if (this.map) return this.map.get(t) ?? -1;
    const text = this.text;
    let lo = 0, hi = this.sorted - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = text[mid];
      if (m === t) return mid;
      if (m < t) lo = mid + 1;
      else hi = mid - 1;
    }
    return this.appended?.get(t) ?? -1;
  }

  /** The term's id, adding it when it is new. */
  intern(t: string): number {
    const known = this.id(t);
    if (known >= 0) return known;
    (this.map ?? (this.appended ??= new Map())).set(t, this.text.length);
    return this.text.push(t) - 1;
  }

  /** Builds the Map (once): for a run of many `intern`s, as indexing a chunk is. */
  withMap(): this {
    if (!this.map) {
      const map = new Map<string, number>();
      this.text.forEach((t, i) => map.set(t, i));
      this.map = map;
      this.appended = undefined;
    }
    return this;
  }
}
