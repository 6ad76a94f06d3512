/**
 * Generated workspaces for the size-driven parts: TypeScript files of small functions whose
 * identifiers come from a Zipf-used vocabulary (the same names recur, as in real code), so the
 * chunker, the keyword index and the store see realistic shapes. Deterministic for a seed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rng } from '../test/support/synthetic';

const SYLLABLES = ['par', 'se', 'con', 'fig', 'load', 'save', 'read', 'write', 'file', 'dir', 'path', 'node',
  'tree', 'map', 'list', 'set', 'get', 'user', 'auth', 'token', 'cache', 'index', 'query', 'search', 'http',
  'req', 'res', 'json', 'yaml', 'log', 'err', 'time', 'date', 'str', 'buf', 'byte', 'hash', 'key', 'val',
  'item', 'row', 'col', 'table', 'db', 'sql', 'conn', 'pool', 'task', 'job', 'queue', 'event', 'emit',
  'handle', 'render', 'view', 'model', 'store', 'state', 'action', 'page', 'url', 'route', 'server'];
const VERBS = ['parse', 'load', 'save', 'read', 'write', 'build', 'make', 'find', 'resolve', 'update', 'remove',
  'create', 'compute', 'merge', 'split', 'format', 'validate', 'normalize', 'encode', 'decode', 'flush', 'open'];
const COMMENTS = ['keep the previous value when the input is empty', 'retry once on a transient failure',
  'the cache is keyed by the normalized path', 'bail out early for tiny inputs', 'order matters here',
  'callers rely on a stable sort', 'avoid a copy on the hot path', '按路径缓存结果', '空输入时保留旧值'];

export class CodeGen {
  readonly rand: () => number;
  private readonly words: string[] = [];
  private readonly idents: string[] = [];
  private serial = 0;

  constructor(seed: number, vocabulary = 4000) {
    this.rand = rng(seed);
    for (let i = 0; i < vocabulary; i++) {
      const parts = 1 + Math.floor(this.rand() * 2);
      let w = '';
      for (let p = 0; p < parts; p++) w += SYLLABLES[Math.floor(this.rand() * SYLLABLES.length)];
      this.words.push(w);
    }
    for (let i = 0; i < vocabulary; i++) {
      const a = this.zipf(this.words), b = this.zipf(this.words);
      const r = this.rand();
      this.idents.push(r < 0.5 ? a + cap(b) : r < 0.7 ? `${a}_${b}` : a);
    }
  }

  zipf<T>(items: readonly T[]): T {
    return items[Math.min(items.length - 1, Math.floor(Math.exp(this.rand() * Math.log(items.length))) - 1)];
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)];
  }

  ident(): string {
    return this.zipf(this.idents);
  }

  /** A unique function name (verb + Zipf words + serial, so no two functions collide). */
  fnName(): string {
    return `${this.pick(VERBS)}${cap(this.zipf(this.words))}${cap(this.zipf(this.words))}${(this.serial++).toString(36)}`;
  }

  /** One small function, 5–9 lines. */
  fn(name = this.fnName(), variant = 0): string {
    const a = this.ident(), b = this.ident(), c = this.ident();
    const lines = [
      `export function ${name}(${a}: string, ${b}: number): number {`,
      `  const ${c} = ${this.ident()}(${a}, ${b} + ${variant});`,
    ];
    const body = 2 + Math.floor(this.rand() * 4);
    for (let i = 0; i < body; i++) {
      const r = this.rand();
      if (r < 0.15) lines.push(`  // ${this.pick(COMMENTS)}`);
      else if (r < 0.45) lines.push(`  if (${c}.${this.ident()} > ${Math.floor(this.rand() * 100)}) return ${this.ident()}(${c}, ${b});`);
      else if (r < 0.75) lines.push(`  ${c}.${this.ident()} = ${this.ident()}.${this.ident()}(${a}, '${this.zipf(this.words)}');`);
      else lines.push(`  for (const ${this.ident()}_ of ${c}.${this.ident()}) ${this.ident()}(${this.ident()}_);`);
    }
    lines.push(`  return ${c}.${this.ident()} + ${b};`, '}');
    return lines.join('\n');
  }

  /** A file of `n` functions separated by blank lines. */
  file(n: number): string {
    const out: string[] = [`import { ${this.ident()} } from './${this.zipf(this.words)}';`];
    for (let i = 0; i < n; i++) out.push(this.fn());
    return out.join('\n\n') + '\n';
  }

  /** A relative path for file i (about 100 files per folder, two levels). */
  filePath(i: number, ext = '.ts'): string {
    return `pkg${Math.floor(i / 1000)}/mod${Math.floor(i / 100) % 10}/${this.zipf(this.words)}_${i}${ext}`;
  }
}

function cap(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** Writes `files` TypeScript files of `fnsPerFile` functions under `root`; returns total bytes. */
export function writeCodeTree(root: string, files: number, fnsPerFile: number | (() => number), seed: number): { bytes: number; paths: string[] } {
  const g = new CodeGen(seed);
  let bytes = 0;
  const paths: string[] = [];
  const made = new Set<string>();
  for (let i = 0; i < files; i++) {
    const rel = g.filePath(i);
    const abs = path.join(root, rel);
    const dir = path.dirname(abs);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const text = g.file(typeof fnsPerFile === 'number' ? fnsPerFile : fnsPerFile());
    fs.writeFileSync(abs, text);
    bytes += Buffer.byteLength(text);
    paths.push(rel);
  }
  return { bytes, paths };
}
