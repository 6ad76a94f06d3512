/**
 * A structural chunker for large C/C++ headers that skips tree-sitter. Profiled on 60 MB of
 * /usr/include, the C++ grammar's parse was about 60 % of the chunk workers' CPU, and most of it
 * is error recovery: 1,943 of 4,523 headers parse with errors (macros such as `__THROW`,
 * `_GLIBCXX_VISIBILITY(default)`, `XMLCALL` are unknown to it), at 4.8 MB/s against 10.7 MB/s
 * for clean files. Headers are mostly a flat list of declarations, so a lexer that only tracks
 * braces, parentheses, comments, strings and preprocessor lines finds the same top-level units:
 * each declaration or definition with the comment block directly above it, `#define NAME`
 * directives, and namespaces / `extern "C"` blocks seen through (their members are the units,
 * named `ns.member` as the syntax chunker names them). Units then go through the syntax
 * chunker's layout (packing, budget splits by lines).
 */
import { type Unit, layoutUnits } from './codeChunker';
import type { LineContext, Piece } from './windows';

/** Headers at least this big (UTF-16 units) are chunked structurally instead of parsed. */
export const STRUCTURAL_MIN_CHARS = 64 * 1024;
const HEADER_EXTENSIONS = /\.(?:h|hh|hpp|hxx|h\+\+)$/i;
/** A named unit longer than this stands alone (as `SMALL_UNIT_LINES` in the syntax chunker). */
const SMALL_UNIT_LINES = 5;
const MAX_SYMBOL_CHARS = 120;

/** Whether a file is chunked by `chunkHeaderPieces` instead of tree-sitter. */
export function chunkStructurally(path: string, grammar: string | undefined, length: number): boolean {
  return grammar === 'cpp' && length >= STRUCTURAL_MIN_CHARS && HEADER_EXTENSIONS.test(path);
}

const NOT_NAMES = new Set(['void', 'int', 'char', 'long', 'short', 'unsigned', 'signed', 'float', 'double', 'bool', 'auto', 'if', 'while', 'for', 'switch', 'return', 'sizeof', 'decltype', 'alignof', 'noexcept', 'defined',
  '__attribute__', '__declspec', '__asm__', 'asm', 'static_assert', '_Static_assert', 'alignas', '__typeof__', 'typeof']);

/** The name a declaration head (its text up to the first `{`, `;` or `=` at depth 0) introduces. */
export function declarationName(head: string): string {
  const h = head.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
  const define = /^\s*#\s*define\s+([A-Za-z_]\w*)/.exec(h);
  if (define) return define[1];
  if (/^\s*#/.test(h)) return '';
  // `typedef void (*handler_t) (int);`, `typedef void (APIENTRYP PFNGLDRAWPROC) (GLenum);`: the pointer's name.
  const pointer = /^\s*typedef\b[^(]*\(\s*(?:\w+\s+)*\*?\s*([A-Za-z_]\w*)\s*\)\s*\(/.exec(h);
  if (pointer) return pointer[1];
  // A function (or function-like) declarator: the (qualified) identifier before the first call-like `(`.
  const re = /((?:[A-Za-z_]\w*\s*::\s*)*(?:operator\s*(?:\(\)|[^\s\w(]+|\w+)|~?[A-Za-z_]\w*))\s*\(/g;
  for (let m = re.exec(h); m; m = re.exec(h)) {
    const name = m[1].replace(/\s+/g, '');
    const last = name.slice(name.lastIndexOf(':') + 1);
    // `__nonnull ((1))`, `_GLIBCXX_VISIBILITY(default)`: all-caps or reserved-looking macro calls are not names.
    if (NOT_NAMES.has(last) || (/^_*[A-Z][A-Z0-9_]*$/.test(last) && /^\s*\(\s*\(|^\s*\(\s*[a-z]*\s*\)/.test(h.slice(m.index + m[0].length - 1)))) continue;
    return name.replace(/::/g, '.').slice(0, MAX_SYMBOL_CHARS);
  }
  const tag = /\b(?:struct|class|union|enum(?:\s+class)?)\s+(?:__attribute__\s*\(\([^)]*\)\)\s*)?([A-Za-z_]\w*)/.exec(h);
  if (tag && !/\btypedef\b/.test(h)) return tag[1];
  // `typedef … NAME;`, `extern int x;`: the last identifier (a lone all-caps one is a macro, not a name).
  const body = h.replace(/[\s;]+$/, '');
  const trailing = /([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*$/.exec(body);
  const typedef = /^\s*typedef\b/.test(body);
  if (trailing && /\S\s+\S/.test(body) && (typedef || !/^_*[A-Z][A-Z0-9_]*$/.test(trailing[1]))) return trailing[1];
  return '';
}

interface Open {
  /** Seen through (namespace, extern "C"): its members are top-level units. */
  readonly transparent: boolean;
  readonly name: string;
}

/**
 * Top-level units of a C/C++ header, lines 0..n-1: every non-blank line is in exactly one unit
 * (comments directly above a unit join it; blank lines between units are left out).
 */
export function headerUnits(ctx: LineContext): Unit[] {
  const { lines } = ctx;
  const units: Unit[] = [];
  const opens: Open[] = [];
  let depth = 0; // braces that are not seen through
  let parens = 0;
  let inComment = false;
  let start = -1; // first line of the unit being read
  let comments = -1; // first line of the comment block waiting for the next unit
  let head = '';
  let hasBody = false;
  const scope = () => opens.filter((o) => o.transparent && o.name).map((o) => o.name).join('.');
  const close = (end: number, name: string): void => {
    const from = comments >= 0 ? comments : start;
    const symbol = [scope(), name].filter(Boolean).join('.');
    const own = end - start + 1;
    units.push({ start: from, end, symbol, standalone: (hasBody && own > 1) || (name !== '' && own > SMALL_UNIT_LINES), named: name !== '' });
    start = comments = -1;
    head = '';
    hasBody = false;
    parens = 0;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (ctx.blank[i] && !inComment) {
      if (start >= 0 && depth === 0 && parens === 0) close(i - 1, declarationName(head));
      if (start < 0) comments = -1; // a blank line breaks a comment block from what follows
      continue;
    }
    if (!inComment && depth === 0 && parens === 0 && /^\s*#/.test(line)) {
      if (start >= 0) close(i - 1, declarationName(head)); // after a macro-only line such as `__BEGIN_DECLS`
      // A preprocessor directive, continuation lines included, is a unit of its own.
      start = i;
      let end = i;
      while (end + 1 < lines.length && /\\\s*$/.test(lines[end])) end++;
      head = lines.slice(i, end + 1).join('\n');
      i = end;
      close(end, declarationName(head));
      continue;
    }
    let onlyComment = start < 0;
    for (let k = 0; k < line.length; k++) {
      const c = line.charCodeAt(k);
      if (inComment) {
        if (c === 42 /* * */ && line.charCodeAt(k + 1) === 47) {
          inComment = false;
          k++;
        }
        continue;
      }
      if (c === 47 /* / */) {
        const n = line.charCodeAt(k + 1);
        if (n === 47) break;
        if (n === 42) {
          inComment = true;
          k++;
          continue;
        }
      }
      if (c === 32 || c === 9 || c === 13) {
        if (start >= 0 && depth === 0) head += ' ';
        continue;
      }
      if (onlyComment) {
        onlyComment = false;
        start = i;
      }
      if (c === 34 || c === 39) {
        // A string or character literal: skip to its end on this line (escapes honoured).
        let j = k + 1;
        while (j < line.length && line.charCodeAt(j) !== c) j += line.charCodeAt(j) === 92 ? 2 : 1;
        if (depth === 0) head += line.slice(k, j + 1);
        k = j;
        continue;
      }
      if (c === 123 /* { */) {
        const seeThrough = depth === 0 && parens === 0 && /^\s*(?:(?:inline\s+)?namespace\b[^;{}=]*|extern\s*"C(?:\+\+)?"\s*)$/.test(head);
        if (seeThrough) {
          const name = /namespace\s+([A-Za-z_][\w:]*)/.exec(head)?.[1]?.replace(/::/g, '.') ?? '';
          close(i, '');
          opens.push({ transparent: true, name });
          continue;
        }
        opens.push({ transparent: false, name: '' });
        if (depth === 0) hasBody = true;
        depth++;
        continue;
      }
      if (c === 125 /* } */) {
        const top = opens.pop();
        if (top?.transparent) continue; // its line becomes a tiny unit, folded into a neighbour by the layout
        if (depth > 0) depth--;
        continue;
      }
      if (depth > 0) continue;
      if (c === 40) parens++;
      else if (c === 41 && parens > 0) parens--;
      head += line[k];
    }
    if (onlyComment) {
      if (comments < 0) comments = i;
      continue;
    }
    if (start >= 0) {
      head += '\n';
      // A unit ends at a line that leaves everything closed after a `;` or `}`.
      // `typedef struct { … } name;` and `struct s { … };` go on to their `;`; a function body ends at its `}`.
      const last = lastCodeChar(line);
      const typeBody = last === 125 && /^\s*(?:typedef\b|(?:[\w:]+\s+)*(?:struct|class|union|enum)\b)/.test(head) && !/\)\s*(?:const\s*)?$/.test(head.trim());
      if (depth === 0 && parens === 0 && !inComment && (last === 59 || (last === 125 && !typeBody) || last === -1)) close(i, declarationName(head));
    }
  }
  if (start >= 0) close(lines.length - 1, declarationName(head));
  else if (comments >= 0) units.push({ start: comments, end: lines.length - 1, symbol: '', standalone: false, named: false });
  return trimUnits(ctx, units);
}

/** The last character of a line outside blanks and line or one-line block comments (−1: none). */
function lastCodeChar(line: string): number {
  const code = line.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '').trimEnd();
  return code.length ? code.charCodeAt(code.length - 1) : -1;
}

/** Units shrunk to their non-blank lines (a unit of only blank lines is dropped). */
function trimUnits(ctx: LineContext, units: Unit[]): Unit[] {
  const out: Unit[] = [];
  for (const u of units) {
    let s = u.start, e = u.end;
    while (s <= e && ctx.blank[s]) s++;
    while (e >= s && ctx.blank[e]) e--;
    if (s > e) continue;
    const prev = out[out.length - 1];
    if (prev && s <= prev.end) {
      prev.end = Math.max(prev.end, e);
      continue;
    }
    out.push({ ...u, start: s, end: e });
  }
  return out;
}

/** Chunk pieces of a large header, without a parse. */
export function chunkHeaderPieces(ctx: LineContext): Piece[] {
  return layoutUnits(ctx, headerUnits(ctx));
}
