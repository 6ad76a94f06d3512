/**
 * Part 9 — Chinese retrieval on Debian's `manpages-zh` (section 1): each page is rendered to text
 * (`man -l`, or a small roff stripper when man is missing), its 名称/NAME line's description is
 * the query and the page is the answer; the NAME section is removed from the indexed copy.
 * Reported: keyword MRR@10 / Recall@10 of the product tokenizer (Intl.Segmenter words + bigrams) vs
 * a bigram-only tokenizer under the same plain BM25 (page level), and the engine's keyword, dense
 * and hybrid search (offline provider; results de-duplicated by page).
 * Rendered pages are cached in .bench/manpages-zh/ (the package must be installed: scripts/bench.mjs
 * installs it with apt-get when it can).
 *   node --import tsx bench/chinese.ts [--quick] [--out FILE]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { openEngine } from '../src/core/engine';
import { tokenize } from '../src/core/text/tokenize';
import type { SearchMode } from '../src/core/types';
import { Bm25, dedupeByPath, fuse, productTokenizer, score, type Doc, type ListHit, type Metrics, type Target, type Tokenizer } from './ir';
import { CACHE, QUICK, check, emit, fmt, info, nowMs, quietLogger, rm, tempDir, type Row } from './util';

const MAN_DIR = '/usr/share/man/zh_CN/man1';
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_RUNS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}_]+/gu;

/** Bigram-only baseline (as Lucene's CJKAnalyzer): CJK runs → overlapping character bigrams, other words lower-cased. */
export const bigramTokenizer: Tokenizer = (text) => {
  const out: string[] = [];
  for (const m of text.matchAll(CJK_RUNS)) {
    const run = m[0];
    if (CJK.test(run[0])) {
      const chars = [...run];
      if (chars.length === 1) out.push(chars[0]);
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    } else out.push(run.toLowerCase());
  }
  return out;
};

function render(file: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('man', ['-E', 'UTF-8', '-l', file], { env: { ...process.env, MANWIDTH: '200', LANG: 'C.UTF-8', MAN_KEEP_FORMATTING: '' }, maxBuffer: 32 << 20 }, (err, stdout) => {
      // Overstrike (bold/underline) sequences, as `col -b` would remove them.
      resolve(err ? '' : stdout.replace(/.\x08/g, ''));
    });
  });
}

/** Fallback renderer: roff macros and escapes stripped (good enough for text retrieval). */
export function stripRoff(src: string): string {
  const out: string[] = [];
  for (const raw of src.split('\n')) {
    if (/^\.\s*\\"/.test(raw) || /^'\\"/.test(raw) || /^\\"/.test(raw)) continue;
    let line = raw;
    const mac = /^\.\s*([A-Za-z]{1,3})\s*(.*)$/.exec(line);
    if (mac) {
      const [, name, rest] = mac;
      if (['SH', 'SS', 'Sh', 'Ss'].includes(name)) line = rest.replace(/^"|"$/g, '');
      else if (['B', 'I', 'BR', 'RB', 'BI', 'IB', 'IR', 'RI', 'Nm', 'Nd', 'Ar', 'Fl', 'Op', 'Xr', 'Pa', 'Em', 'Dq', 'Ql', 'It'].includes(name)) {
        line = (name === 'Nd' ? '- ' : '') + rest.replace(/"/g, '');
      } else continue;
    }
    line = line.replace(/\\f(?:\[[^\]]*\]|\(..|.)/g, '').replace(/\\\(em|\\\(en/g, '—').replace(/\\\(lq|\\\(rq|\\\(dq/g, '"')
      .replace(/\\\(aq/g, "'").replace(/\\\(../g, '').replace(/\\-/g, '-').replace(/\\[&,/|^]/g, '').replace(/\\e/g, '\\').replace(/\\ /g, ' ');
    out.push(line);
  }
  return out.join('\n');
}

export interface Page {
  readonly name: string;
  readonly text: string;
}

/** `manDir`: a man1 folder, or a man root when `sections` are given (then pages are named `name.section`). */
export async function renderedPages(manDir: string, cacheName: string, only?: ReadonlySet<string>, sections?: readonly string[]): Promise<{ pages: Page[]; renderer: string; seconds: number }> {
  const t = nowMs();
  const listed = sections
    ? sections.flatMap((s) => (fs.existsSync(path.join(manDir, `man${s}`)) ? fs.readdirSync(path.join(manDir, `man${s}`)).filter((f) => f.endsWith(`.${s}.gz`)).map((f) => `man${s}/${f}`) : []))
    : fs.readdirSync(manDir).filter((f) => f.endsWith('.1.gz'));
  const nameOf = (f: string) => (sections ? path.basename(f).replace(/\.gz$/, '') : f.replace(/\.1\.gz$/, ''));
  const files = listed.filter((f) => !only || only.has(nameOf(f))).sort();
  const haveMan = await new Promise<boolean>((r) => execFile('man', ['--version'], (e) => r(!e)));
  const cacheDir = path.join(CACHE, cacheName, haveMan ? 'man' : 'strip');
  fs.mkdirSync(cacheDir, { recursive: true });
  const pages: (Page | undefined)[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const f = files[i];
      const name = nameOf(f);
      const cached = path.join(cacheDir, `${name}.txt`);
      const stat = fs.statSync(path.join(manDir, f));
      let text: string;
      if (fs.existsSync(cached) && fs.statSync(cached).mtimeMs >= stat.mtimeMs) text = fs.readFileSync(cached, 'utf8');
      else {
        const src = zlib.gunzipSync(fs.readFileSync(path.join(manDir, f))).toString('utf8');
        if (/^\.so\s/m.test(src.split('\n').filter((l) => !/^\.?\s*\\"/.test(l)).slice(0, 3).join('\n'))) text = '';
        else text = haveMan ? await render(path.join(manDir, f)) : stripRoff(src);
        fs.writeFileSync(cached, text);
      }
      if (text.trim()) pages[i] = { name, text };
    }
  };
  await Promise.all([worker(), worker()]);
  return { pages: pages.filter((p): p is Page => !!p), renderer: haveMan ? 'man -l' : 'roff stripper', seconds: (nowMs() - t) / 1000 };
}

interface ZhQuery {
  readonly query: string;
  readonly answer: Target;
}

const NAME_HEADING = /^\s*("?名称"?|"?名字"?|命令名|NAME)(?=\s|$|\(|\[|（)/;

/** Splits a rendered page into (description, text without the NAME section). */
export function splitName(text: string): { description?: string; body: string } {
  const lines = text.split('\n');
  // Running header and footer (first and last non-blank lines).
  const nonBlank = lines.map((l, i) => (l.trim() ? i : -1)).filter((i) => i >= 0);
  const running = (i: number | undefined) => i !== undefined && /\(\d\w*\)\s*$/.test(lines[i]);
  if (running(nonBlank[0])) lines[nonBlank[0]] = '';
  if (running(nonBlank[nonBlank.length - 1])) lines[nonBlank[nonBlank.length - 1]] = '';
  const isHeading = (l: string) => /^\S/.test(l) && !/^[-•*]/.test(l);
  const at = lines.findIndex((l) => isHeading(l) && NAME_HEADING.test(l.replace(/^\.SH\s+/, '')));
  if (at < 0) return { body: lines.join('\n') };
  let end = at + 1;
  while (end < lines.length && !isHeading(lines[end])) end++;
  const nameText = lines.slice(at + 1, end).join(' ').replace(/\s+/g, ' ').trim();
  const m = /\s(?:\\-|-|—|–)\s*(.+)$/.exec(nameText);
  const body = [...lines.slice(0, at), ...lines.slice(end)].join('\n');
  return { description: m?.[1].trim().replace(/[。.]$/, ''), body };
}

async function main(): Promise<void> {
  const t0 = nowMs();
  const rows: Row[] = [];
  if (!fs.existsSync(MAN_DIR) || fs.readdirSync(MAN_DIR).length < 50) {
    rows.push(info(9, 'Chinese retrieval', 'skipped', `${MAN_DIR} missing: install the Debian package manpages-zh`));
    emit({ part: 9, title: 'Chinese retrieval (manpages-zh)', rows, seconds: 0 });
    return;
  }
  const base = tempDir('zh');
  try {
    const zh = await renderedPages(MAN_DIR, 'manpages-zh');
    const set = await evaluate(zh.pages, path.join(base, 'zh'), true, !QUICK);
    const { bigram, ours, wordsOnly, kw, dense, hybrid } = set;
    const m = (x: Metrics) => `MRR@10 ${x.mrr.toFixed(3)}, R@10 ${fmt.pct(x.recall)}`;
    const vs = (x: Metrics) => `${x.mrr >= bigram.mrr ? '+' : ''}${fmt.pct(x.mrr / bigram.mrr - 1)} vs bigram-only`;
    process.stderr.write(`  manpages-zh: ${zh.pages.length} pages rendered by ${zh.renderer} (${zh.seconds.toFixed(1)} s), ${set.queries} queries\n`);
    rows.push(info(9, `baseline: BM25 per page, bigram-only tokenizer — ${set.queries} queries, ${zh.pages.length} pages`, m(bigram)));
    rows.push(check(9, 'BM25 per page, product tokenizer (Intl.Segmenter words + bigrams) — MRR@10 vs bigram-only', ours.mrr / bigram.mrr - 1, (v) => `${v >= 0 ? '+' : ''}${fmt.pct(v)} (${m(ours)})`, { min: 0, label: '≥ bigram-only' }));
    rows.push(info(9, `engine keyword (BM25F over ${set.chunks} chunks, best chunk per page)`, m(kw), vs(kw)));
    rows.push(info(9, 'engine vector (offline LSA)', m(dense), vs(dense)));
    rows.push(check(9, 'engine hybrid (offline default: RRF, LSA weight 0.25) — MRR@10 vs bigram-only', hybrid.mrr / bigram.mrr - 1, (v) => `${v >= 0 ? '+' : ''}${fmt.pct(v)} (${m(hybrid)})`, { min: 0, label: '≥ bigram-only' }));
    rows.push(info(9, 'ablation: BM25 per page, product tokenizer without bigrams (segmenter words only)', m(wordsOnly), vs(wordsOnly)));
    for (const [name, x] of Object.entries(set.ablations)) rows.push(info(9, `ablation: ${name}`, m(x), vs(x)));
    const details: Record<string, unknown> = { zh: { ...set, renderer: zh.renderer, renderSeconds: zh.seconds } };

    // Control: the English pages of the same commands (manpages), same pipeline — is the hybrid
    // loss about Chinese or about prose documentation?
    const enDir = '/usr/share/man/man1';
    if (!QUICK && fs.existsSync(enDir)) {
      const en = await renderedPages(enDir, 'manpages-en', new Set(zh.pages.map((p) => p.name)));
      if (en.pages.length >= 50) {
        const e = await evaluate(en.pages, path.join(base, 'en'), false, true);
        const ek = (x: Metrics) => `${x.mrr >= e.kw.mrr ? '+' : ''}${fmt.pct(x.mrr / e.kw.mrr - 1)} vs engine keyword`;
        rows.push(info(9, `control, English pages of the same commands (${e.queries} queries, ${en.pages.length} pages): engine keyword / vector`, `${m(e.kw)} / ${m(e.dense)}`));
        rows.push(info(9, 'control, English: engine hybrid (LSA weight 0.25)', m(e.hybrid), ek(e.hybrid)));
        for (const [name, x] of Object.entries(e.ablations)) if (/weight 0\.05|convex.*0\.1$/.test(name)) rows.push(info(9, `control, English: ${name}`, m(x), ek(x)));
        details.en = e;
      }
    }
    emit({ part: 9, title: 'Chinese retrieval (manpages-zh)', rows, details, seconds: (nowMs() - t0) / 1000 });
  } finally {
    rm(base);
  }
}

interface SetResult {
  queries: number;
  chunks: number;
  bigram: Metrics;
  ours: Metrics;
  wordsOnly: Metrics;
  kw: Metrics;
  dense: Metrics;
  hybrid: Metrics;
  ablations: Record<string, Metrics>;
  sample: ZhQuery[];
}

/** Page-level BM25 by tokenizer, then the engine (offline) over the pages without their NAME section. */
async function evaluate(pages: readonly Page[], root: string, cjkQueries: boolean, ablate: boolean): Promise<SetResult> {
  fs.mkdirSync(root, { recursive: true });
  const candidates: { page: string; description: string }[] = [];
  const docs: Doc[] = [];
  for (const p of pages) {
    const { description, body } = splitName(p.text);
    const file = `${p.name}.txt`;
    fs.writeFileSync(path.join(root, file), body);
    docs.push({ path: file, startLine: 1, endLine: body.split('\n').length, text: body });
    const cjk = description ? [...description].filter((ch) => CJK.test(ch)).length : 0;
    if (description && (cjkQueries ? cjk >= 2 : cjk === 0 && description.split(/\s+/).length >= 2)) candidates.push({ page: file, description });
  }
  // A description shared by several pages has no single answer: dropped.
  const seen = new Map<string, number>();
  for (const c of candidates) seen.set(c.description, (seen.get(c.description) ?? 0) + 1);
  const queries: ZhQuery[] = candidates.filter((c) => seen.get(c.description) === 1)
    .map((c) => ({ query: c.description, answer: { path: c.page, startLine: 1, endLine: 1e9 } }));
  const answers = queries.map((q) => q.answer);

  const pageLevel = (tok: Tokenizer): Metrics => {
    const bm = new Bm25(docs, tok);
    return score(queries.map((q) => bm.search(q.query, 10).map((h) => h.doc)), answers);
  };
  const bigram = pageLevel(bigramTokenizer);
  const ours = pageLevel(productTokenizer);
  const wordsOnly = pageLevel((t) => tokenize(t, { bigrams: false }));

  const engine = await openEngine({ root, indexDir: `${root}-index`, provider: 'offline', logger: quietLogger });
  const rep = await engine.index();
  const viaEngine = async (mode: SearchMode, hybridWeight?: number): Promise<Metrics> => {
    const ranked: Target[][] = [];
    for (const q of queries) ranked.push(dedupeByPath((await engine.search(q.query, { mode, topK: 30, ...(hybridWeight !== undefined ? { hybridWeight } : {}) })).map((h) => h.chunk)));
    return score(ranked, answers);
  };
  const kw = await viaEngine('keyword');
  const dense = await viaEngine('dense');
  const hybrid = await viaEngine('hybrid');
  const ablations: Record<string, Metrics> = {};
  if (ablate) {
    for (const w of [0.05, 0.1, 0.5, 1]) ablations[`engine hybrid, LSA weight ${w}`] = await viaEngine('hybrid', w);
    const lists: { kw: ListHit[]; dense: ListHit[] }[] = [];
    for (const q of queries) {
      lists.push({
        kw: (await engine.search(q.query, { mode: 'keyword', topK: 50 })).map((h) => ({ ...h.chunk, score: h.score })),
        dense: (await engine.search(q.query, { mode: 'dense', topK: 50 })).map((h) => ({ ...h.chunk, score: h.score })),
      });
    }
    const fused = (how: Parameters<typeof fuse>[2]) => score(lists.map((l) => dedupeByPath(fuse(l.kw, l.dense, how))), answers);
    for (const w of [0.1, 0.2, 0.3]) ablations[`fusion: convex combination of min-max scores, LSA weight ${w}`] = fused({ kind: 'cc', w });
  }
  return { queries: queries.length, chunks: rep.chunks, bigram, ours, wordsOnly, kw, dense, hybrid, ablations, sample: queries.slice(0, 8) };
}

if (process.argv[1] && /chinese\.ts$/.test(process.argv[1])) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
