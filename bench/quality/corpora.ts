/**
 * The quality suite's corpora (split in SPLIT.md). Debian packages are fetched with
 * `apt-get download` and unpacked with `dpkg -x` under .bench/debs (no root, nothing installed
 * system-wide); npm sources come from node_modules. Each corpus is written to its own folder and
 * sampled deterministically (sorted paths, FNV hash) to keep the suite to minutes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Target } from '../ir';
import { CACHE, REPO } from '../util';
import { stripBraceDocs, stripPythonDocs, type Lang } from './codeDocs';

export type CorpusKind = 'code' | 'docs';

export interface Query {
  readonly query: string;
  readonly answer: Target;
  /** For mixed corpora: which side the answer is on. */
  readonly side?: 'code' | 'docs';
}

export interface Corpus {
  readonly id: string;
  readonly split: 'dev' | 'test';
  readonly kind: CorpusKind | 'mixed';
  readonly root: string;
  readonly queries: Query[];
  readonly files: number;
  readonly source: string;
  /** Chinese queries (the baseline is the bigram BM25). */
  readonly chinese?: boolean;
}

const DEBS = path.join(CACHE, 'debs');
const UNPACKED = path.join(DEBS, 'x');

export function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Deterministic sample of at most n items (by hash, then restored to sorted order). */
export function sample<T>(items: readonly T[], n: number, key: (t: T) => string): T[] {
  if (items.length <= n) return [...items];
  const picked = new Set([...items].sort((a, b) => fnv(key(a)) - fnv(key(b))).slice(0, n));
  return items.filter((t) => picked.has(t));
}

/** A path inside a Debian package unpacked under .bench/debs/x (downloaded once); `probe` is that path. */
export function debian(pkg: string, probe: string): string | undefined {
  const dir = path.join(UNPACKED, probe);
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(DEBS, { recursive: true });
  try {
    if (!fs.readdirSync(DEBS).some((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'))) {
      const download = () => execFileSync('apt-get', ['download', '-q', pkg], { cwd: DEBS, stdio: ['ignore', 'ignore', 'pipe'] });
      try {
        download();
      } catch (e) {
        // A fresh machine may have no package lists yet: refresh them once (root only) and retry.
        if (process.getuid?.() !== 0) throw e;
        execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
        download();
      }
    }
    const deb = fs.readdirSync(DEBS).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'))!;
    execFileSync('dpkg', ['-x', path.join(DEBS, deb), UNPACKED]);
  } catch (e) {
    process.stderr.write(`  ${pkg}: could not fetch with apt-get download (${(e as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
  return fs.existsSync(dir) ? dir : undefined;
}

function walk(dir: string, keep: (rel: string) => boolean, base = dir, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    const rel = path.relative(base, p).split(path.sep).join('/');
    if (e.isDirectory()) walk(p, keep, base, out);
    else if (e.isFile() && keep(rel)) out.push(rel);
  }
  return out;
}

interface CodeSpec {
  readonly id: string;
  readonly split: 'dev' | 'test';
  readonly lang: Lang;
  readonly source: string;
  /** Candidate files as [absolute path, relative name in the corpus]. */
  readonly files: () => [string, string][];
}

const MAX_FILES = 220;
const MAX_QUERIES = 250;
const MAX_BYTES = 60_000;

function buildCode(spec: CodeSpec, root: string, maxFiles = MAX_FILES, maxQueries = MAX_QUERIES): Corpus | undefined {
  const all = spec.files().filter(([abs]) => fs.statSync(abs).size <= MAX_BYTES && fs.statSync(abs).size > 200);
  if (!all.length) return undefined;
  const files = sample(all, maxFiles, ([, rel]) => rel);
  fs.mkdirSync(root, { recursive: true });
  const queries: Query[] = [];
  for (const [abs, rel] of files) {
    const text = fs.readFileSync(abs, 'utf8');
    const s = spec.lang === 'python' ? stripPythonDocs(text, rel) : stripBraceDocs(text, spec.lang, rel);
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), s.text);
    queries.push(...s.queries.map((q) => ({ query: q.query, answer: q.answer, side: 'code' as const })));
  }
  // One answer per query text: a sentence shared by several functions has none.
  const count = new Map<string, number>();
  for (const q of queries) count.set(q.query, (count.get(q.query) ?? 0) + 1);
  const unique = queries.filter((q) => count.get(q.query) === 1);
  return { id: spec.id, split: spec.split, kind: 'code', root, files: files.length, source: spec.source, queries: sample(unique, maxQueries, (q) => `${q.answer.path}:${q.answer.startLine}`) };
}

const CODE: CodeSpec[] = [
  {
    id: 'dev-go', split: 'dev', lang: 'go', source: 'Debian golang-1.19-src',
    files: () => {
      const dir = debian('golang-1.19-src', 'usr/share/go-1.19/src');
      return dir ? walk(dir, (r) => r.endsWith('.go') && !r.endsWith('_test.go') && !/(^|\/)(testdata|vendor|cmd)\//.test(r)).map((r) => [path.join(dir, r), r]) : [];
    },
  },
  {
    id: 'dev-java', split: 'dev', lang: 'java', source: 'Debian openjdk-17-source (java.base util, io, nio, time, text)',
    files: () => {
      const jdk = debian('openjdk-17-source', 'usr/lib/jvm/openjdk-17/lib');
      if (!jdk) return [];
      const dir = path.join(UNPACKED, 'java-src');
      if (!fs.existsSync(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        execFileSync('unzip', ['-q', '-o', path.join(jdk, 'src.zip'), 'java.base/java/util/*', 'java.base/java/io/*', 'java.base/java/nio/*', 'java.base/java/time/*', 'java.base/java/text/*', '-d', dir]);
      }
      return walk(dir, (r) => r.endsWith('.java')).map((r) => [path.join(dir, r), r.replace(/^java\.base\//, '')]);
    },
  },
  {
    id: 'dev-rust', split: 'dev', lang: 'rust', source: 'Debian rust-src (library core, alloc, std)',
    files: () => {
      const dir = debian('rust-src', 'usr/src/rustc-1.63.0/library');
      return dir ? walk(dir, (r) => r.endsWith('.rs') && /^(core|alloc|std)\/src\//.test(r) && !/\/tests?\//.test(r) && !/(^|\/)tests?\.rs$/.test(r)).map((r) => [path.join(dir, r), r]) : [];
    },
  },
  {
    id: 'dev-ts', split: 'dev', lang: 'js', source: 'npm packages in node_modules (lodash, markdown-it, eslint, ajv, semver, js-yaml, commander, ml-matrix, htmlparser2, cheerio)',
    files: () => {
      const nm = path.join(REPO, 'node_modules');
      const out: [string, string][] = [];
      for (const [pkg, sub] of [['lodash', ''], ['markdown-it', 'lib'], ['eslint', 'lib'], ['ajv', 'lib'], ['semver', ''], ['js-yaml', 'lib'], ['commander', 'lib'], ['ml-matrix', 'src'], ['htmlparser2', 'lib'], ['cheerio', 'lib']]) {
        const dir = path.join(nm, pkg, sub);
        if (!fs.existsSync(dir)) continue;
        const skip = /(^|\/)(lodash|lodash\.min|core|core\.min|fp)\.js$|\.min\.js$|\.d\.ts$|(^|\/)(node_modules|dist|umd|esm|fp)\//;
        for (const r of walk(dir, (x) => /\.(js|ts|mjs|cjs)$/.test(x) && !skip.test(x))) out.push([path.join(dir, r), `${pkg}/${sub ? sub + '/' : ''}${r}`]);
      }
      return out;
    },
  },
  {
    id: 'test-python', split: 'test', lang: 'python', source: 'this machine\'s Python standard library',
    files: () => {
      const lib = fs.readdirSync('/usr/lib').filter((d) => /^python3\.\d+$/.test(d)).sort().pop();
      if (!lib) return [];
      const dir = path.join('/usr/lib', lib);
      return walk(dir, (r) => r.endsWith('.py') && !/^(test|idlelib|site-packages|dist-packages|lib2to3|tkinter|turtledemo|ensurepip|config-)/.test(r) && !/(^|\/)tests?\//.test(r)).map((r) => [path.join(dir, r), r]);
    },
  },
];

export function codeCorpus(id: string, root: string, maxFiles?: number, maxQueries?: number): Corpus | undefined {
  const spec = CODE.find((c) => c.id === id);
  return spec ? buildCode(spec, root, maxFiles, maxQueries) : undefined;
}

/**
 * Debian Reference's plain-text book, one page per numbered section; the title is the query and leaves the page.
 * `long`: one page per second-level section (6.3) with all its subsections inside (headings included) — pages
 * the chunker splits into several sections, as man pages are (added in session 17 as a dev corpus for page
 * aggregation; dev-en-docs/dev-zh-docs pages are mostly one chunk each).
 */
export function debianReference(lang: 'en' | 'zh-cn', root: string, max = 260, long = false): Corpus | undefined {
  const pkg = lang === 'en' ? 'debian-reference-en' : 'debian-reference-zh-cn';
  const file = debian(pkg, `usr/share/debian-reference/debian-reference.${lang}.txt.gz`);
  if (!file || !fs.existsSync(file)) return undefined;
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
  const heading = /^(\d+(?:\.\d+)+)\.\s+(\S.*)$/;
  const sections: { num: string; title: string; body: string[] }[] = [];
  let cur: { num: string; title: string; body: string[] } | undefined;
  for (const l of lines) {
    const m = heading.exec(l);
    if (m && (!long || m[1].split('.').length === 2)) {
      cur = { num: m[1], title: m[2].trim(), body: [] };
      sections.push(cur);
    } else if (cur) cur.body.push(l);
  }
  const seen = new Map<string, number>();
  const good = sections.filter((s) => s.body.filter((l) => l.trim()).length >= 4 && !/^(List of|Table|Figure|.*的列表$|.*列表$)/.test(s.title));
  for (const s of good) seen.set(s.title, (seen.get(s.title) ?? 0) + 1);
  const pages = sample(good.filter((s) => seen.get(s.title) === 1 && s.title.length >= 4), max, (s) => s.num);
  fs.mkdirSync(root, { recursive: true });
  const queries: Query[] = [];
  for (const s of pages) {
    const name = `section-${s.num.replace(/\./g, '-')}.txt`;
    const body = s.body.join('\n').trim() + '\n';
    fs.writeFileSync(path.join(root, name), body);
    queries.push({ query: s.title, answer: { path: name, startLine: 1, endLine: 1e9 }, side: 'docs' });
  }
  return {
    id: `dev-${lang === 'en' ? 'en' : 'zh'}-${long ? 'long' : 'docs'}`, split: 'dev', kind: 'docs', root, files: pages.length, queries,
    source: `Debian ${pkg} (sections of the plain-text book)`, chinese: lang !== 'en',
  };
}

/** Pages (name, text with the NAME section removed) + NAME descriptions → a docs corpus. */
export function pagesCorpus(id: string, split: 'dev' | 'test', source: string, pages: readonly { name: string; description?: string; body: string }[], root: string, chinese: boolean): Corpus {
  fs.mkdirSync(root, { recursive: true });
  const CJK = /\p{Script=Han}/u;
  const cand: Query[] = [];
  for (const p of pages) {
    const file = `${p.name}.txt`;
    fs.writeFileSync(path.join(root, file), p.body);
    const d = p.description;
    const cjk = d ? [...d].filter((c) => CJK.test(c)).length : 0;
    if (d && (chinese ? cjk >= 2 : cjk === 0 && d.split(/\s+/).length >= 2)) cand.push({ query: d, answer: { path: file, startLine: 1, endLine: 1e9 }, side: 'docs' });
  }
  const count = new Map<string, number>();
  for (const q of cand) count.set(q.query, (count.get(q.query) ?? 0) + 1);
  return { id, split, kind: 'docs', root, files: pages.length, source, chinese, queries: cand.filter((q) => count.get(q.query) === 1) };
}

/** Two corpora in one folder (code/ and notes/), both query sets, answers re-rooted. */
export function mixedCorpus(id: string, split: 'dev' | 'test', code: Corpus, docs: Corpus, root: string, extra: readonly Query[] = []): Corpus {
  fs.mkdirSync(root, { recursive: true });
  fs.cpSync(code.root, path.join(root, 'code'), { recursive: true });
  fs.cpSync(docs.root, path.join(root, 'notes'), { recursive: true });
  const re = (q: Query, dir: string): Query => ({ ...q, answer: { ...q.answer, path: `${dir}/${q.answer.path}` } });
  return {
    id, split, kind: 'mixed', root, files: code.files + docs.files, source: `${code.id} + ${docs.id} in one index`,
    queries: [...code.queries.map((q) => re(q, 'code')), ...docs.queries.map((q) => re(q, 'notes')), ...extra.map((q) => re(q, 'notes'))],
  };
}
