/**
 * Part 7 — retrieval quality that cannot flatter itself: dev corpora (tuned on) and test corpora
 * (reported only), split as written down in bench/quality/SPLIT.md before any tuning.
 *   node --import tsx bench/quality/suite.ts [--quick] [--split dev|test] [--corpus id,id] [--lab] [--out FILE]
 * Prints MRR@10 / Recall@10 / nDCG@10 with bootstrap 95 % intervals per corpus and method, checks
 * the targets on the test corpora, and writes its own section into BENCHMARKS.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CACHE, QUICK, REPO, check, emit, info, nowMs, rm, tempDir, type Row } from '../util';
import { codeCorpus, debian, debianReference, mixedCorpus, type Corpus } from './corpora';
import { manCorpus, manDevCorpus } from './manCorpora';
import { fusionLab, labSummary } from './lab';
import { ratio, summarize, type Summary } from './metrics';
import { runCorpus, type CorpusRun } from './run';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const SPLIT = arg('split');
const ONLY = arg('corpus')?.split(',');
const LAB = process.argv.includes('--lab');
const FILES = QUICK ? 80 : 220;
const QUERIES = QUICK ? 80 : 250;

/** The corpora of SPLIT.md, built lazily (only those asked for). */
async function corpora(base: string): Promise<Corpus[]> {
  const want = (id: string, split: 'dev' | 'test') => (!SPLIT || SPLIT === split) && (!ONLY || ONLY.includes(id) || ONLY.some((o) => id.endsWith('mixed') && o === id));
  const out: Corpus[] = [];
  const add = (c: Corpus | undefined) => c && c.queries.length >= 20 && out.push(c);
  const code = (id: string) => codeCorpus(id, path.join(base, id), FILES, QUERIES);
  for (const id of ['dev-go', 'dev-java', 'dev-rust', 'dev-ts']) if (want(id, 'dev')) add(code(id));
  if (want('dev-en-docs', 'dev')) add(debianReference('en', path.join(base, 'dev-en-docs')));
  if (want('dev-zh-docs', 'dev')) add(debianReference('zh-cn', path.join(base, 'dev-zh-docs')));
  if (want('dev-en-long', 'dev')) add(debianReference('en', path.join(base, 'dev-en-long'), 260, true));
  if (want('dev-zh-long', 'dev')) add(debianReference('zh-cn', path.join(base, 'dev-zh-long'), 260, true));
  if (want('dev-en-man', 'dev')) add(await manDevCorpus(false, path.join(base, 'dev-en-man')));
  if (want('dev-zh-man', 'dev')) add(await manDevCorpus(true, path.join(base, 'dev-zh-man')));
  if (want('dev-mixed', 'dev')) {
    const g = code('dev-go'), d = debianReference('en', path.join(base, 'mix-en'));
    if (g && d) add(mixedCorpus('dev-mixed', 'dev', g, d, path.join(base, 'dev-mixed')));
  }
  if (want('test-python', 'test')) add(code('test-python'));
  const EXTRA = ['chage', 'scp'];
  if (want('test-en-man', 'test')) add(await manCorpus('test-en-man', 'test', '/usr/share/man/man1', 'manpages-en', path.join(base, 'test-en-man'), false, EXTRA));
  if (want('test-zh-man', 'test')) {
    const dir = debian('manpages-zh', 'usr/share/man/zh_CN/man1');
    if (dir) add(await manCorpus('test-zh-man', 'test', dir, 'manpages-zh-deb', path.join(base, 'test-zh-man'), true));
  }
  if (want('test-mixed', 'test')) {
    const py = code('test-python');
    const man = await manCorpus('mix-man', 'test', '/usr/share/man/man1', 'manpages-en', path.join(base, 'mix-man'), false, EXTRA);
    if (py && man) {
      const hand = [
        { query: 'force a user to change their password at next login', answer: { path: 'chage.txt', startLine: 1, endLine: 1e9 }, side: 'docs' as const },
        { query: 'copy files to a remote machine securely', answer: { path: 'scp.txt', startLine: 1, endLine: 1e9 }, side: 'docs' as const },
      ].filter((q) => fs.existsSync(path.join(man.root, q.answer.path)));
      add(mixedCorpus('test-mixed', 'test', py, man, path.join(base, 'test-mixed'), hand));
    }
  }
  return out;
}

const f3 = (x: number) => x.toFixed(3);
const cell = (s: Summary, m: 'mrr' | 'recall' | 'ndcg') => `${f3(s[m])} [${f3(s.ci[m][0])}, ${f3(s.ci[m][1])}]`;
const METHODS = ['baseline', 'keyword', 'vector', 'hybrid'] as const;

function tableOf(runs: readonly CorpusRun[]): string[] {
  const lines = ['| Corpus | Queries / files / chunks | Method | MRR@10 [95 % CI] | Recall@10 [95 % CI] | nDCG@10 [95 % CI] |', '|---|---|---|---|---|---|'];
  for (const r of runs) {
    for (const m of METHODS) {
      const s = summarize(r.methods[m]);
      const label = m === 'baseline' ? (r.corpus.kind === 'code' ? 'baseline BM25, 40-line windows' : r.corpus.kind === 'docs' ? 'baseline BM25, whole pages' : 'baseline BM25 (windows + pages)') : m === 'hybrid' ? 'hybrid (default)' : m;
      lines.push(`| ${m === 'baseline' ? r.corpus.id : ''} | ${m === 'baseline' ? `${r.corpus.queries.length} / ${r.corpus.files} / ${r.chunks}` : ''} | ${label} | ${cell(s, 'mrr')} | ${cell(s, 'recall')} | ${cell(s, 'ndcg')} |`);
    }
  }
  return lines;
}

/** The targets of the issue on one corpus (checked on test, shown for information on dev). */
function targets(r: CorpusRun): Row[] {
  const h = r.methods.hybrid.rr, k = r.methods.keyword.rr, b = r.methods.baseline.rr;
  const vsK = ratio(h, k), vsB = ratio(h, b);
  const rows: Row[] = [];
  const show = (v: { value: number; ci: [number, number] }) => `${v.value.toFixed(3)}× [${v.ci[0].toFixed(3)}, ${v.ci[1].toFixed(3)}]`;
  const need = r.corpus.kind === 'code' ? 1.1 : r.corpus.chinese ? 1.05 : 1.0;
  const label = r.corpus.kind === 'code' ? '40-line BM25' : r.corpus.chinese ? 'bigram BM25' : r.corpus.kind === 'mixed' ? 'BM25 windows + pages' : 'per-page BM25';
  if (r.corpus.split === 'test') {
    rows.push(check(7, `${r.corpus.id}: hybrid / keyword MRR@10`, vsK.value, () => show(vsK), { min: 0.98, label: '≥ 0.98×' }));
    rows.push(check(7, `${r.corpus.id}: hybrid / ${label} MRR@10`, vsB.value, () => show(vsB), { min: need, label: `≥ ${need.toFixed(2)}×` }));
  } else {
    rows.push(info(7, `${r.corpus.id} (dev): hybrid / keyword, hybrid / ${label} MRR@10`, `${show(vsK)}, ${show(vsB)}`));
  }
  return rows;
}

/** The same test corpora measured once before any #17 change (bench/quality/before-test.json, commit 0ac691c's ranking). */
function beforeLine(runs: readonly CorpusRun[]): string[] {
  const file = path.join(__dirname, 'before-test.json');
  if (!fs.existsSync(file)) return [];
  const before = (JSON.parse(fs.readFileSync(file, 'utf8')) as { details: Record<string, { methods: Record<string, Summary> }> }).details;
  const lines = runs.filter((r) => before[r.corpus.id]).map((r) => {
    const b = before[r.corpus.id].methods;
    const now = (m: (typeof METHODS)[number]) => summarize(r.methods[m]);
    return `- ${r.corpus.id}: hybrid MRR@10 ${cell(b.hybrid, 'mrr')} before → ${cell(now('hybrid'), 'mrr')} now; keyword ${f3(b.keyword.mrr)} → ${f3(now('keyword').mrr)}`;
  });
  return lines.length ? ['', 'Before issue #17 (same corpora, the ranking of commit 0ac691c: RRF with LSA weight 0.25, docs keyword-only offline, bigram tokenizer):', ...lines] : [];
}

/** What was chosen on the dev corpora, and why (measured 2026-12-01 with bench/quality/lab.ts, keywordLab.ts and the suite's dev split). */
const DECISIONS = [
  '**Chosen on dev** (test corpora run only afterwards):',
  '- Fusion (offline): score-aware — min-max normalised BM25F and LSA cosines, convex dense weight 0.3, times (1 − keyword',
  '  confidence) where confidence = (s₁ − s₅)/s₁ of the keyword list. Hybrid / keyword on the 7 dev corpora: 1.02, 1.04, 1.06, 1.02,',
  '  1.01, 1.00, 1.01 (RRF with LSA weight 0.25 and docs keyword-only: 1.01, 1.07, 1.03, 0.96, 1.00, 1.00, **0.74** on the mixed',
  '  workspace, where code got a dense boost and notes did not). Weights 0.1–0.5 with and without the gate were tried.',
  '- BM25F: k1 1.6 (was 1.2), symbol field ×5 (was ×3): +1.7 … +8.7 % keyword MRR@10 on the four code corpora, ±1 % on docs;',
  '  text b 0.5/0.9, path ×0.5/×3, k1 0.9/2.0 tried.',
  '- Chinese words: jieba-wasm 2.4 `cut_for_search` vs `Intl.Segmenter`, engine keyword / hybrid MRR@10 on dev-zh-docs:',
  '  segmenter words + all bigrams (before) 0.735 / 0.743; words only 0.772 / 0.761; words + inner bigrams of long words',
  '  0.770 / 0.763; jieba search mode 0.759 / 0.770; jieba + bigrams 0.730 / 0.743; **shipped** (segmenter words, inner',
  '  bigrams of words ≥ 3 characters, compounds re-joined where the segmenter split off one character) 0.763 / 0.760 —',
  '  all within each other\'s intervals (±0.045). jieba does not win, costs a 4.0 MB WASM file in the VSIX and ~3× the CJK',
  '  tokenizing time; not shipped. Terms per corpus: 86k before, 54k shipped, 46k jieba. Topic names use whole words in both.',
  '',
  '**Session 17 (2026-12-02), chosen on dev before its single test run** (bench/quality/refineLab.ts; 11 dev corpora:',
  'the 7 above plus dev-en-long, dev-zh-long, dev-en-man, dev-zh-man, added to SPLIT.md first). Hybrid MRR@10 / keyword-only:',
  '- **Kept: identifier compounds**, weight 0.5 — consecutive query words joined as a whole identifier (`read user settings` →',
  '  `readusersettings`, `read_user_settings`) join the query where the index has that term; keyword and hybrid modes.',
  '  Hybrid vs the same without: dev-go +6.2 %, dev-java +4.1 %, dev-mixed +1.8 %, the other eight −0.0 … +0.5 %, none lower',
  '  (weights 0.25 / 1 / 2: +3.0 / +7.1 / +3.9 % on dev-go, 1 and 2 lose up to 1.0 / 4.7 % elsewhere).',
  '- **Kept: BM25F k1 2.0, symbol ×8, path ×3** (were 1.6, ×5, ×1.5; bench/quality/keywordLab.ts, 10 dev corpora): keyword MRR@10',
  '  +4.1 / +4.9 / +2.8 / +1.2 % on dev-go / java / rust / ts, +0.0 … +2.0 % on the docs corpora, none lower. Tried: k1 0.9–2.4,',
  '  text b 0.5–0.9, symbol ×1.5–8, path ×0.5–3 singly and in combination (k1 2.4 loses 1.1 % on dev-en-long).',
  '- Not kept (lost on dev): RM3 pseudo-relevance feedback (k 3/5/10 docs, 5/10/20 terms, weight 0.1–0.5: best mean 1.002 vs',
  '  1.018 without; +1.4 % dev-go, −3 … −6 % on the docs corpora); proximity of consecutive query terms in the first 30 hits\'',
  '  texts (weight 0.05–0.4, window 1/3: mean 1.016–1.020 vs 1.018, −5 % dev-java, −2.3 % dev-zh-docs, and the CJK texts cost',
  '  tens of ms to tokenize); page aggregation of a note\'s chunks (sibling share 0.1–1: −20 … −55 % on the man-page dev corpora,',
  '  long pages win everything); Rocchio toward the first keyword hits\' vectors (3/5/10 docs, weight 0.3–0.7: mean 1.008–1.015).',
  '  All four stay in rank.ts behind RANK_POLICY (off), tested, for the next experiment.',
  '- Search latency (bench/quality/refineLatency.ts: 28,840 Go chunks, engine hybrid search, CPU per search, variants',
  '  interleaved query by query, load average 12–18): all off 4.42 ms p50 / 5.43 ms p95; compounds (shipped) +0.04 ms;',
  '  proximity +2.87 ms, PRF +2.03 ms, page aggregation and Rocchio within ±0.05 ms.',
  '- Offline vector: LSA stays. Word co-occurrence vectors (PPMI ±2/4/8 tokens, SVD, tf-idf-weighted sums) scored vector MRR@10',
  '  0.406–0.438 vs LSA 0.471 on dev-ts and 0.631 vs 0.706 on dev-en-docs; LSA as U Σ^0.5 / U Σ^0 (vs U Σ): vector +1 … +4 %',
  '  but hybrid mean 1.016 / 1.012 vs 1.018. Fusion re-checked on all 11 dev corpora: the shipped w0.3 gate1@5 is still best',
  '  (min 0.998, mean 1.019 of 26 variants), and again after the two keyword changes above: still the best mean (1.009,',
  '  min 0.983 on dev-go / dev-en-long; w0.1–0.5 × gate 0.5/1 @2/@5 span means 0.989–1.008), so it stays.',
  '- **Session 17\'s single test run** (2026-12-02T02:54Z, after everything above was fixed), hybrid MRR@10 before (session 16\'s',
  '  run) → after: test-python 0.406 [0.355, 0.458] → 0.430 [0.380, 0.483] (×keyword 0.979 → 0.987 ✅, ×baseline 1.050 → 1.112 ✅,',
  '  interval [0.957, 1.269]: the 1.10 is met on the point estimate, not beyond noise); test-en-man 0.900 [0.876, 0.924] → 0.896',
  '  [0.872, 0.919] (×per-page BM25 0.979 → 0.975 ❌); test-zh-man 0.704 [0.657, 0.750] → 0.703 [0.657, 0.749] (×bigram BM25',
  '  0.956 → 0.954 ❌, target 1.05; ×keyword 0.999 ✅); test-mixed 0.701 [0.669, 0.730] → 0.708 [0.677, 0.737] (✅ both). Nothing',
  '  was changed after it. On the man-page dev corpora the default already beats the per-page BM25 (1.056× / 1.072×); on the',
  '  test ones it does not — a difference between the page sets, not a tuned weight.',
];

const BEGIN = '<!-- quality:begin (bench/quality/suite.ts rewrites this section) -->';
const END = '<!-- quality:end -->';
const MARKER = '<!-- GENERATED by scripts/bench.mjs';

function writeSection(runs: readonly CorpusRun[], rows: readonly Row[]): void {
  const file = path.join(REPO, 'BENCHMARKS.md');
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const prevSplit = (split: string) => {
    const m = new RegExp(`<!-- quality:${split} -->([\\s\\S]*?)<!-- /quality:${split} -->`).exec(old);
    return m ? m[1] : '\n_not run yet_\n';
  };
  const part = (split: 'dev' | 'test') => {
    const mine = runs.filter((r) => r.corpus.split === split);
    if (!mine.length || ONLY) return prevSplit(split);
    const status = rows.filter((x) => x.status !== 'info' && x.metric.startsWith(split)).map((x) => `- ${x.status === 'met' ? '✅ met' : '❌ missed'} ${x.metric}: ${x.value} (target ${x.target})`);
    const notes = rows.filter((x) => x.status === 'info' && x.metric.startsWith(`${split}-mixed: "`)).map((x) => `- ${x.metric}: ${x.value}`);
    return ['', `Run ${new Date().toISOString()}${QUICK ? ' (quick: reduced sizes)' : ''}.`, '', ...tableOf(mine), '', ...status, ...notes, ...(split === 'test' ? beforeLine(mine) : []), ''].join('\n');
  };
  const section = [
    BEGIN,
    '## Retrieval quality on held-out corpora (issue #17)',
    '',
    'Split written down before tuning: [bench/quality/SPLIT.md](bench/quality/SPLIT.md). Offline provider. Baseline: plain BM25',
    '(k1 1.2, b 0.75), tokens `[A-Za-z][a-z]+|[A-Z]+(?![a-z])|\\d+` lower-cased + CJK bigrams, 40-line windows (stride 20) for',
    'code, whole pages for docs. Intervals: bootstrap over queries, 1,000 resamples. `npm run bench -- --only quality`.',
    '',
    ...DECISIONS,
    '',
    '### Test corpora (reported once, never tuned on)',
    `<!-- quality:test -->${part('test')}<!-- /quality:test -->`,
    '',
    '### Dev corpora (tuned on)',
    `<!-- quality:dev -->${part('dev')}<!-- /quality:dev -->`,
    END,
  ].join('\n');
  let next: string;
  if (old.includes(BEGIN) && old.includes(END)) next = old.slice(0, old.indexOf(BEGIN)) + section + old.slice(old.indexOf(END) + END.length);
  else if (old.includes(MARKER)) next = old.slice(0, old.indexOf(MARKER)) + section + '\n\n' + old.slice(old.indexOf(MARKER));
  else next = old.trimEnd() + '\n\n' + section + '\n';
  fs.writeFileSync(file, next);
}

async function main(): Promise<void> {
  const t0 = nowMs();
  const base = tempDir('quality');
  const rows: Row[] = [];
  const runs: CorpusRun[] = [];
  const details: Record<string, unknown> = {};
  try {
    for (const c of await corpora(base)) {
      const t = nowMs();
      const r = await runCorpus(c, path.join(base, `${c.id}.index`));
      runs.push(r);
      process.stderr.write(`  ${c.id}: ${c.queries.length} queries, ${c.files} files, ${r.chunks} chunks (${((nowMs() - t) / 1000).toFixed(0)} s)\n`);
      for (const m of METHODS) process.stderr.write(`    ${m.padEnd(8)} MRR ${cell(summarize(r.methods[m]), 'mrr')}  R@10 ${f3(summarize(r.methods[m]).recall)}\n`);
      rows.push(...targets(r));
      // The issue's two hand-written mixed-workspace questions (the last queries of test-mixed).
      if (c.id === 'test-mixed') {
        c.queries.forEach((q, i) => {
          if (!q.answer.path.endsWith('chage.txt') && !q.answer.path.endsWith('scp.txt')) return;
          if (!/force a user|copy files/.test(q.query)) return;
          const rank = (rr: number) => (rr > 0 ? `#${Math.round(1 / rr)}` : 'not in top 10');
          rows.push(info(7, `test-mixed: "${q.query}" → ${q.answer.path}`, `hybrid ${rank(r.methods.hybrid.rr[i])}, keyword ${rank(r.methods.keyword.rr[i])}, baseline ${rank(r.methods.baseline.rr[i])}`));
        });
      }
      details[c.id] = { source: c.source, split: c.split, methods: Object.fromEntries(METHODS.map((m) => [m, summarize(r.methods[m])])), sample: c.queries.slice(0, 5) };
      if (LAB && c.split === 'dev') fusionLab(r);
    }
    if (LAB) labSummary();
    const lines = tableOf(runs);
    rows.push(info(7, `quality suite: ${runs.length} corpora (${runs.filter((r) => r.corpus.split === 'dev').length} dev, ${runs.filter((r) => r.corpus.split === 'test').length} test); per-method table in the quality section above`, `${((nowMs() - t0) / 1000).toFixed(0)} s`));
    process.stderr.write('\n' + lines.join('\n') + '\n');
    if (!process.argv.includes('--no-write')) writeSection(runs, rows);
    fs.mkdirSync(path.join(CACHE, 'results'), { recursive: true });
  } finally {
    rm(base);
  }
  emit({ part: 7, title: 'Retrieval quality: dev and test corpora (offline provider)', rows, details, seconds: (nowMs() - t0) / 1000 });
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
