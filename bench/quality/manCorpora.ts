/**
 * Man-page corpora: the NAME line's description is the query, the page without its NAME section
 * the answer. Test: section 1 (English and manpages-zh). Dev (added in session 17, before any
 * test run of that session): the other sections of the same two sources — pages of the same
 * genre, none of them in the test corpora — so page-level choices are tuned on man pages too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderedPages, splitName } from '../chinese';
import { QUICK } from '../util';
import { debian, pagesCorpus, sample, type Corpus } from './corpora';

const PAGES = QUICK ? 120 : 400;

/** Section-1 pages of `dir` (a man1 folder), sampled; `keep` always included. */
export async function manCorpus(id: string, split: 'dev' | 'test', dir: string, cache: string, root: string, chinese: boolean, keep: readonly string[] = []): Promise<Corpus | undefined> {
  if (!dir || !fs.existsSync(dir)) return undefined;
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.1.gz')).map((f) => f.replace(/\.1\.gz$/, '')).sort();
  const picked = new Set([...sample(names, PAGES, (n) => n), ...keep.filter((k) => names.includes(k))]);
  const { pages } = await renderedPages(dir, cache, picked);
  const parsed = pages.map((p) => ({ name: p.name, ...splitName(p.text) })).filter((p) => p.body.trim());
  return pagesCorpus(id, split, chinese ? 'Debian manpages-zh, section 1' : `this machine's English man pages, section 1 (${PAGES}-page sample)`, parsed, root, chinese);
}

const DEV_SECTIONS = ['2', '3', '4', '5', '6', '7', '8'];

/** Dev: every section but 1 (English: sections 5, 7, 8 only — 3 is the C library), sampled to PAGES. */
export async function manDevCorpus(chinese: boolean, root: string): Promise<Corpus | undefined> {
  const dir = chinese ? debian('manpages-zh', 'usr/share/man/zh_CN') : '/usr/share/man';
  if (!dir || !fs.existsSync(dir)) return undefined;
  const sections = chinese ? DEV_SECTIONS : ['5', '7', '8'];
  const names = sections.flatMap((s) => (fs.existsSync(path.join(dir, `man${s}`)) ? fs.readdirSync(path.join(dir, `man${s}`)) : [])
    .filter((f) => f.endsWith(`.${s}.gz`)).map((f) => f.replace(/\.gz$/, ''))).sort();
  const { pages } = await renderedPages(dir, chinese ? 'manpages-zh-dev' : 'manpages-en-dev', new Set(sample(names, PAGES, (n) => n)), sections);
  const parsed = pages.map((p) => ({ name: p.name, ...splitName(p.text) })).filter((p) => p.body.trim());
  const id = chinese ? 'dev-zh-man' : 'dev-en-man';
  return pagesCorpus(id, 'dev', chinese ? 'Debian manpages-zh, sections 2–8' : `this machine's English man pages, sections 5, 7, 8 (${PAGES}-page sample)`, parsed, root, chinese);
}
