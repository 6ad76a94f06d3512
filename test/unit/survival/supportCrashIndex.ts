/**
 * What the crash loops read besides the CLI's output: a peek at an index directory (its manifest,
 * its files, a pending journal) without opening it, and the fixed query set with the helpers that
 * turn search results into comparable keys.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { STACK_TRACE, parseJsonLines, runCli, writeQueries, type CliResult, type SearchLine } from './support';

export const QUERIES = [
  'retry the request with backoff',
  'parse the payload header',
  'token bucket quota limit',
  'journal manifest commit',
  'render the widget window',
  'socket stream buffer',
  'ledger invoice refund',
  'migrate the schema snapshot',
];

export interface ManifestPeek {
  generation: number;
  basisId: string;
  complete: boolean;
}

export function peekManifest(indexDir: string): ManifestPeek | undefined {
  if (!fs.existsSync(indexDir)) return undefined;
  for (const space of fs.readdirSync(indexDir)) {
    const f = path.join(indexDir, space, 'manifest.json');
    if (!fs.existsSync(f)) continue;
    try {
      const m = JSON.parse(fs.readFileSync(f, 'utf8')) as { generation: number; complete: boolean; fingerprint: { basisId?: string } };
      return { generation: m.generation, basisId: m.fingerprint.basisId ?? '', complete: m.complete };
    } catch {
      return { generation: -1, basisId: '?', complete: false };
    }
  }
  return undefined;
}

/** `space/name` of every file in the index directory. */
export function listSpaceFiles(indexDir: string): string[] {
  const out: string[] = [];
  let spaces: string[];
  try {
    spaces = fs.readdirSync(indexDir);
  } catch {
    return out;
  }
  for (const s of spaces) {
    try {
      for (const n of fs.readdirSync(path.join(indexDir, s))) out.push(`${s}/${n}`);
    } catch {
      /* not a folder, or gone */
    }
  }
  return out;
}

export function hasJournal(indexDir: string): boolean {
  if (!fs.existsSync(indexDir)) return false;
  return fs.readdirSync(indexDir).some((s) => fs.existsSync(path.join(indexDir, s, 'journal.bin')));
}

export function assertCleanFailure(r: CliResult, what: string): void {
  assert.ok(!STACK_TRACE.test(r.stderr) && !STACK_TRACE.test(r.stdout), `${what}: a stack trace was printed:\n${r.stderr}`);
}

/** Results as comparable strings: path, lines and the score rounded to 4 places. */
export function resultKeys(lines: SearchLine[]): string[][] {
  return lines.map((l) => l.results.map((h) => `${h.path}:${h.startLine}-${h.endLine}@${h.score.toFixed(4)}`));
}

export async function searchAll(root: string, indexDir: string, mode: string, env: Record<string, string>, provider: string): Promise<{ r: CliResult; lines: SearchLine[] }> {
  const r = await runCli(['search', root, '--queries-file', writeQueries(QUERIES), '--index-dir', indexDir, '--json', '--top-k', '8', '--mode', mode, '--provider', provider], { env, timeoutMs: 60_000 });
  assertCleanFailure(r, `search --mode ${mode}`);
  assert.equal(r.code, 0, `search --mode ${mode} failed: ${r.stderr}`);
  return { r, lines: parseJsonLines(r.stdout) as unknown as SearchLine[] };
}

