/**
 * CodeSearchNet-style query extraction: a function's doc comment is removed from the indexed copy,
 * the comment's first sentence becomes the query, the function's lines (in the stripped copy) the
 * answer. One extractor per comment convention: brace languages (Go `//`, Rust `///`, Java/JS
 * `/** *\/`) and Python docstrings.
 */
import type { Target } from '../ir';

export type Lang = 'go' | 'rust' | 'java' | 'js' | 'python';

export interface CodeQuery {
  readonly query: string;
  readonly answer: Target;
  readonly name: string;
}

export interface Stripped {
  readonly text: string;
  readonly queries: CodeQuery[];
}

/** The first sentence of a comment's prose (markup removed); undefined when too short or too long to be a query. */
export function firstSentence(prose: string, name?: string): string | undefined {
  let text = prose
    .split('\n')
    .map((l) => l.trim())
    .join('\n');
  // Up to the first tag line / blank line / example block: the summary paragraph.
  text = text.split(/\n\s*\n|\n\s*[@:](?=\w)|\n\s*#\s|\n\s*```|\n\s*>>>/)[0];
  text = text
    .replace(/\{@\w+\s+([^}]*)\}/g, '$1')
    .replace(/<\/?[a-zA-Z][^>]*>/g, '')
    .replace(/\[`?([^\]`]+)`?\]\([^)]*\)/g, '$1')
    .replace(/\[`([^`]+)`\]/g, '$1')
    .replace(/[`*]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const m = /^(.*?[.!?])(?:\s|$)/.exec(text);
  let s = (m ? m[1] : text).trim();
  // Go's convention starts with the function's own name ("Foo returns …"): that would hand the
  // answer to the symbol field, so the name goes.
  if (name && s.split(/\s+/)[0] === name) s = s.slice(name.length).trim();
  const words = s.split(/\s+/).filter(Boolean);
  if (words.length < 3 || words.length > 40 || !/[a-zA-Z]/.test(s)) return undefined;
  return s;
}

const DECL: Record<Exclude<Lang, 'python'>, RegExp> = {
  go: /^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*[[(]/,
  rust: /^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+"[^"]*"\s+)?fn\s+([A-Za-z_]\w*)/,
  java: /^\s*(?:(?:public|protected|private|static|final|abstract|synchronized|native|default|strictfp)\s+)*(?:<[^>]*>\s*)?[\w.<>[\], ?]+\s+([a-z]\w*)\s*\(/,
  js: /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\s*\*?\s*([A-Za-z_$][\w$]*)|(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)|(?:static\s+)?(?:async\s+)?([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*\{)/,
};

/** Brace balance of a line, ignoring strings, chars and line comments (roughly: good enough to find a body's end). */
function braceDelta(line: string): { open: number; close: number } {
  const clean = line.replace(/\/\/.*$/, '').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)'|`(?:[^`\\]|\\.)*`/g, '""');
  let open = 0, close = 0;
  for (const ch of clean) {
    if (ch === '{') open++;
    else if (ch === '}') close++;
  }
  return { open, close };
}

/** End line (0-based, inclusive) of the body that opens at or after `start`; -1 when none within a few lines. */
function braceEnd(lines: readonly string[], start: number): number {
  let depth = 0;
  let opened = false;
  for (let i = start; i < lines.length; i++) {
    const { open, close } = braceDelta(lines[i]);
    if (!opened && open === 0 && (/;\s*$/.test(lines[i]) || i - start > 6)) return -1;
    if (open) opened = true;
    depth += open - close;
    if (opened && depth <= 0) return i;
  }
  return -1;
}

interface Block {
  /** 0-based line range of the comment in the source. */
  readonly from: number;
  readonly to: number;
  readonly prose: string;
}

/** The doc comment that ends right above line `decl` (attributes/annotations may sit in between). */
function docAbove(lines: readonly string[], decl: number, lang: Exclude<Lang, 'python'>): Block | undefined {
  let i = decl - 1;
  while (i >= 0 && (lang === 'rust' ? /^\s*#\[/.test(lines[i]) : lang === 'java' ? /^\s*@\w/.test(lines[i]) : false)) i--;
  if (i < 0) return undefined;
  if (lang === 'go' || lang === 'rust') {
    const re = lang === 'go' ? /^\s*\/\/(?!go:|\s*\+build)/ : /^\s*\/\/\/(?!\/)/;
    let from = i;
    while (from >= 0 && re.test(lines[from])) from--;
    from++;
    if (from > i) return undefined;
    const prose = lines.slice(from, i + 1).map((l) => l.replace(lang === 'go' ? /^\s*\/\/ ?/ : /^\s*\/\/\/ ?/, '')).join('\n');
    return { from, to: i, prose };
  }
  if (!/\*\/\s*$/.test(lines[i])) return undefined;
  let from = i;
  while (from >= 0 && !/^\s*\/\*\*/.test(lines[from])) {
    if (from < i && /\*\//.test(lines[from])) return undefined;
    from--;
  }
  if (from < 0) return undefined;
  const prose = lines.slice(from, i + 1).join('\n').replace(/^\s*\/\*\*|\*\/\s*$/g, '').split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n');
  return { from, to: i, prose };
}

/** Strips every doc comment that documents a function and returns the queries it yields. */
export function stripBraceDocs(text: string, lang: Exclude<Lang, 'python'>, path: string): Stripped {
  const lines = text.split('\n');
  const drop = new Uint8Array(lines.length);
  const found: { decl: number; query: string; name: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = DECL[lang].exec(lines[i]);
    if (!m) continue;
    const name = m[1] ?? m[2] ?? m[3];
    if (!name || /^(if|for|while|switch|catch|return|new|else)$/.test(name)) continue;
    const doc = docAbove(lines, i, lang);
    if (!doc) continue;
    for (let j = doc.from; j <= doc.to; j++) drop[j] = 1;
    const query = firstSentence(doc.prose, lang === 'go' ? name : undefined);
    if (query) found.push({ decl: i, query, name });
  }
  return remap(lines, drop, found, (out, at) => braceEnd(out, at), path);
}

/** Python: the docstring right under a `def` goes; its first sentence is the query, the def's indented block the answer. */
export function stripPythonDocs(text: string, path: string): Stripped {
  const lines = text.split('\n');
  const drop = new Uint8Array(lines.length);
  const found: { decl: number; query: string; name: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/.exec(lines[i]);
    if (!m) continue;
    let sig = i;
    while (sig < lines.length && !/\)\s*(?:->[^:]*)?:\s*(?:#.*)?$/.test(lines[sig]) && sig - i < 12) sig++;
    const first = sig + 1;
    if (first >= lines.length) continue;
    const q = /^\s*[rRuU]?("""|''')/.exec(lines[first]);
    if (!q) continue;
    const quote = q[1];
    let last = first;
    const rest = lines[first].slice(lines[first].indexOf(quote) + 3);
    if (!rest.includes(quote)) {
      last = first + 1;
      while (last < lines.length && !lines[last].includes(quote)) last++;
      if (last >= lines.length) continue;
    }
    const prose = lines.slice(first, last + 1).join('\n').replace(/^\s*[rRuU]?("""|''')/, '').replace(/("""|''')\s*$/, '');
    for (let j = first; j <= last; j++) drop[j] = 1;
    const query = firstSentence(prose);
    if (query) found.push({ decl: i, query, name: m[2] });
  }
  const indentEnd = (out: readonly string[], at: number): number => {
    const indent = /^\s*/.exec(out[at])![0].length;
    let end = at;
    for (let j = at + 1; j < out.length; j++) {
      if (!out[j].trim()) continue;
      if (/^\s*/.exec(out[j])![0].length <= indent && !/^\s*[)\]]/.test(out[j])) break;
      end = j;
    }
    return end > at ? end : -1;
  };
  return remap(lines, drop, found, indentEnd, path);
}

/** Drops the marked lines and maps each declaration to its span in the stripped copy. */
function remap(lines: readonly string[], drop: Uint8Array, found: readonly { decl: number; query: string; name: string }[], endOf: (out: readonly string[], at: number) => number, path: string): Stripped {
  const out: string[] = [];
  const newIndex = new Int32Array(lines.length);
  lines.forEach((l, i) => {
    newIndex[i] = out.length;
    if (!drop[i]) out.push(l);
  });
  const queries: CodeQuery[] = [];
  for (const f of found) {
    const at = newIndex[f.decl];
    const end = endOf(out, at);
    if (end < 0 || end - at > 300) continue;
    queries.push({ query: f.query, name: f.name, answer: { path, startLine: at + 1, endLine: end + 1 } });
  }
  return { text: out.join('\n'), queries };
}
