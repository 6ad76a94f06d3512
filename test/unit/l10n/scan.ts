/**
 * Source scanning for the l10n tests: the `vscode.l10n.t(...)` messages the extension and the
 * webview strings use, and string literals that reach the user without going through l10n.
 * Regex-based on purpose (no TypeScript program needed); the patterns below are the ones this code
 * base uses, and a call the scanner cannot read (a non-literal message) is itself reported.
 */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');

export function sourceFiles(...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(p);
    }
  };
  for (const d of dirs) walk(path.join(ROOT, d));
  return out.sort();
}

export const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join('/');

/** Reads a JS string literal starting at `text[start]` (a quote); undefined for a template with `${}`. */
export function readLiteral(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start];
  if (quote !== "'" && quote !== '"' && quote !== '`') return undefined;
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === '\\' ? 2 : 1;
  const source = text.slice(start, i + 1);
  if (quote === '`' && source.includes('${')) return undefined;
  // The literal is our own source code: evaluating it is the exact JS unescaping.
  const value = new Function(`return ${source};`)() as string;
  return { value, end: i + 1 };
}

export interface MessageUse {
  readonly file: string;
  readonly line: number;
  /** undefined when the first argument is not a plain string literal. */
  readonly message?: string;
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** Every `l10n.t(` call (and calls through aliases such as `const t = vscode.l10n.t`). */
export function l10nUses(files: readonly string[]): MessageUse[] {
  const uses: MessageUse[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const aliases = [...text.matchAll(/\b(?:const|let)\s+(\w+)\s*=\s*(?:vscode\.)?l10n\.t\b\s*;/g)].map((m) => m[1]!);
    const callee = ['(?:vscode\\.)?l10n\\.t', ...aliases.map((a) => `(?<![\\w.])${a}`)].join('|');
    for (const m of text.matchAll(new RegExp(`(?:${callee})\\(\\s*`, 'g'))) {
      const at = m.index! + m[0].length;
      const lit = readLiteral(text, at);
      const closes = lit && /^\s*[,)]/.test(text.slice(lit.end));
      uses.push({ file: rel(file), line: lineOf(text, m.index!), message: lit && closes ? lit.value : undefined });
    }
  }
  return uses;
}

/** Product names and symbols that are the same in every language. */
export const UNTRANSLATED = ['Semantic Workspace', 'DashScope', 'text-embedding-v4', 'OpenAI', 'BM25', 'LSA', 'API', 'Markdown'];

/** True when a string has words a translator would translate (after placeholders, codicons and product names). */
export function hasWords(s: string): boolean {
  let rest = s.replace(/\$\([\w~-]+\)/g, ' ').replace(/\{\d+\}/g, ' ');
  for (const name of UNTRANSLATED) rest = rest.split(name).join(' ');
  return /[A-Za-z]{2,}|[\u4e00-\u9fff]/.test(rest);
}

/** The literal parts of the template literal starting at `text[start]`, interpolations (balanced braces) blanked. */
function templateText(text: string, start: number): string {
  let out = '';
  let i = start + 1;
  while (i < text.length && text[i] !== '`') {
    if (text[i] === '\\') {
      out += text.slice(i, i + 2);
      i += 2;
    } else if (text.startsWith('${', i)) {
      let depth = 0;
      for (; i < text.length; i++) {
        if (text[i] === '{') depth++;
        else if (text[i] === '}' && --depth === 0) break;
      }
      i++;
      out += ' ';
    } else out += text[i++];
  }
  return out;
}

export interface HardCoded {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/**
 * User-facing string literals that bypass l10n: the first argument of show*Message, and literal
 * values of the UI properties of QuickPick items/options, input boxes, tree items, status bar
 * items and webview elements (`title`, `placeholder`, `prompt`, `tooltip`, `label`, `detail`,
 * `description`, `aria-label`).
 */
export function hardCodedStrings(files: readonly string[]): HardCoded[] {
  const found: HardCoded[] = [];
  const patterns = [
    /\bshow(?:Information|Warning|Error)Message\(\s*/g,
    /(?:\b(?:title|placeholder|placeHolder|prompt|tooltip|label|detail|description)|'aria-label')\s*[:=]\s*/g,
    /\bwithProgress\(\s*\{[^}]*?\btitle:\s*/g,
  ];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        const at = m.index! + m[0].length;
        if (!/['"`]/.test(text[at] ?? '')) continue;
        // Templates: check the literal parts only (interpolations are l10n.t calls or data).
        const raw = text[at] === '`' ? templateText(text, at) : (readLiteral(text, at)?.value ?? '');
        if (hasWords(raw)) found.push({ file: rel(file), line: lineOf(text, m.index!), text: raw.trim() });
      }
    }
  }
  return found;
}

export const readJson = <T = Record<string, string>>(file: string): T => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as T;
