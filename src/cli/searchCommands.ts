/**
 * `index` and `search`: the CLI contract's two core commands.
 */
import fs from 'node:fs';
import type { IndexReport, SearchDegraded, SearchResult } from '../core/engineTypes';
import type { SearchHit } from '../core/types';
import { ExitError, type CliContext } from './context';
import { printHits, printIndexReport, progressPrinter } from './output';
import { UsageError } from './args';
import { RERANK_CANDIDATES, RerankMeter, estimateRerankCostUSD, estimateRerankPerSearch, rerankHits } from '../core/embedding';
import { rerankConfigFor } from './rerankOption';
import { teamReportLine } from './teamCommands';

/** The `index --json` answer (the MCP `reindex` tool returns the same). */
export function indexReportJson(report: IndexReport, o: { provider: string; indexDir: string; dryRun?: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    filesIndexed: report.filesIndexed,
    filesSkipped: report.filesSkipped,
    chunks: report.chunks,
    tokens: report.tokens,
    seconds: Number(report.seconds.toFixed(3)),
    bytesOnDisk: report.bytesOnDisk,
    embeddedChunks: report.embeddedChunks,
    reusedChunks: report.reusedChunks,
    provider: o.provider,
    indexDir: o.indexDir,
  };
  if (o.dryRun) out.estimatedCostUSD = report.estimatedCostUSD ?? 0;
  if (report.requests !== undefined) out.requests = report.requests;
  if (report.retries) out.retries = report.retries;
  if (report.incomplete) out.incomplete = true;
  if (report.coverage) out.coverage = report.coverage;
  if (report.error) out.error = report.error;
  if (report.warnings.length) out.warnings = report.warnings;
  if (report.team) out.team = report.team;
  return out;
}

export async function runIndex(ctx: CliContext): Promise<number> {
  const { args, m } = ctx;
  if (args.remote && !ctx.teamIndex) throw new UsageError('index --remote needs a team index: --team-index postgres://… or SEMANTIC_WORKSPACE_TEAM_INDEX');
  // --remote: the run is for the team index; an unreachable one stops it before anything is embedded.
  if (args.remote) await ctx.teamConnect();
  const engine = await ctx.open();
  const progress = args.json ? undefined : progressPrinter();
  const report = await engine.index({
    dryRun: args.dryRun,
    rebuild: args.rebuild,
    signal: ctx.signal,
    onProgress: progress ? (p) => progress.update(p) : undefined,
    // stderr in every mode: stdout keeps its one JSON summary.
    onWaitForLock: (h) => process.stderr.write(m.waitingForLock(h.pid) + '\n'),
  });
  progress?.done();
  // `index --dry-run --rerank`: what reranking each search would cost on top (cloud providers only).
  const rerank = args.dryRun && args.rerank && args.provider !== 'offline' ? estimateRerankPerSearch(report.tokens, report.chunks, args.rerankModel) : undefined;
  if (args.json) {
    const out = indexReportJson(report, { provider: args.provider, indexDir: engine.indexDir, dryRun: args.dryRun });
    if (rerank) out.rerank = { model: rerank.model, candidates: rerank.candidates, tokensPerSearch: rerank.tokensPerSearch, costPer1000SearchesUSD: Number(rerank.costPer1000SearchesUSD.toFixed(6)) };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    printIndexReport(report, m, args.dryRun);
    if (rerank) process.stdout.write(m.rerankEstimate(rerank.model, rerank.tokensPerSearch, `$${rerank.costPer1000SearchesUSD.toFixed(4)}`) + '\n');
  }
  if (report.team && !args.json) process.stderr.write(teamReportLine(report.team, report.embeddedChunks) + '\n');
  if (ctx.signal.aborted) {
    process.stderr.write(m.interrupted + '\n');
    return 130;
  }
  if (report.error) {
    process.stderr.write(`error: ${report.error.message}\n${m.incomplete}\n`);
    return 1;
  }
  // A failed publish keeps the (complete) local index, but the run did not do what was asked.
  if (report.team?.error) {
    if (args.json) process.stderr.write(teamReportLine(report.team, report.embeddedChunks) + '\n');
    return 1;
  }
  return report.incomplete && !args.dryRun ? 1 : 0;
}

function readQueries(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ExitError(2, `cannot read --queries-file ${file}: ${(e as Error).message}`);
  }
  const queries: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new ExitError(2, `${file}:${i + 1}: not a JSON line`);
    }
    const q = (parsed as { query?: unknown })?.query;
    if (typeof q !== 'string') throw new ExitError(2, `${file}:${i + 1}: expected {"query": string}`);
    queries.push(q);
  });
  return queries;
}

/** One `search --json` result (the MCP `search` tool adds the chunk text). */
export function hitJson(hit: SearchHit) {
  const c = hit.chunk;
  return {
    path: c.path,
    startLine: c.startLine,
    endLine: c.endLine,
    ...(c.startColumn !== undefined ? { startColumn: c.startColumn, endColumn: c.endColumn } : {}),
    score: Number(hit.score.toFixed(6)),
    kind: c.kind,
    symbol: c.symbol,
    language: c.language,
    why: {
      terms: hit.why.terms,
      ...(hit.why.vectorScore !== undefined ? { vectorScore: Number(hit.why.vectorScore.toFixed(4)) } : {}),
      ...(hit.why.keywordScore !== undefined ? { keywordScore: Number(hit.why.keywordScore.toFixed(4)) } : {}),
    },
  };
}

export async function runSearch(ctx: CliContext): Promise<number> {
  const { args, m } = ctx;
  const inline = args.positionals.slice(1).join(' ');
  if (args.queriesFile && inline) throw new UsageError('search takes either <query> or --queries-file, not both');
  const queries = args.queriesFile ? readQueries(args.queriesFile) : inline ? [inline] : [];
  if (!queries.length) throw new UsageError('search needs a <query> or --queries-file F.jsonl');

  if (args.remote && !ctx.teamIndex) throw new UsageError('search --remote needs a team index: --team-index postgres://… or SEMANTIC_WORKSPACE_TEAM_INDEX');
  // Checked before the index: a wrong provider for --rerank is a usage error, whatever is indexed.
  const rerank = args.rerank ? rerankConfigFor(args, ctx.env, process.cwd()) : undefined;
  const engine = await ctx.open();
  // Remote search needs no local index at all: the snapshot is in PostgreSQL.
  if (!args.remote) await ctx.requireIndex(engine);
  const status = await engine.status();
  if (!args.json) process.stderr.write(m.mode(status.label) + (args.remote ? ` — team index ${ctx.teamIndex}` : '') + '\n');
  // A search over an incomplete index says so (stderr; `coverage` in every --json line).
  const cov = args.remote ? undefined : status.coverage;
  const partial = cov && !cov.complete ? { complete: false, files: cov.files, chunks: cov.chunks, reason: cov.missing[0]?.reason ?? cov.stoppedBy?.reason ?? 'error' } : undefined;
  if (partial) process.stderr.write(m.partialIndex(partial.files.indexed, partial.files.discovered, partial.reason) + '\n');
  const filter = { kind: args.kind, pathGlob: args.pathGlob, language: args.language };
  // --token-budget bounds what the reranks of this run (a --queries-file of many) may bill.
  const meter = new RerankMeter();
  // Within one run the endpoint is tried once: after a fallback the rest of the queries stay keyword.
  let degraded: SearchDegraded | undefined;
  for (const query of queries) {
    const mode = degraded ? 'keyword' : args.mode;
    let hits: SearchHit[] = await engine.search(query, { topK: rerank && !degraded ? Math.max(RERANK_CANDIDATES, args.topK) : args.topK, mode, filter, signal: ctx.signal, remote: args.remote });
    const fellBack = (hits as SearchResult).degraded;
    if (fellBack && !degraded) {
      degraded = fellBack;
      process.stderr.write(m.degraded(degraded.reason) + '\n');
    }
    let rerankInfo: Record<string, unknown> | undefined;
    // With the endpoint failing, a rerank would only wait on it again: the keyword order stands.
    if (rerank && !fellBack) {
      const r = await rerankHits(rerank, query, hits, (h) => engine.readText(h.chunk), { topK: args.topK, signal: ctx.signal, meter, tokenBudget: args.tokenBudget });
      hits = r.hits;
      rerankInfo = { applied: r.reranked, model: rerank.model, ...(r.tokens !== undefined ? { tokens: r.tokens, estimatedCostUSD: Number(estimateRerankCostUSD(r.tokens, rerank.model).toFixed(6)) } : {}), ...(r.note ? { note: r.note } : {}) };
      if (r.note && !args.json) process.stderr.write(`warning: ${r.note}\n`);
    }
    if (args.json) {
      process.stdout.write(JSON.stringify({ query, results: hits.map(hitJson), ...(rerankInfo ? { rerank: rerankInfo } : {}), ...(partial ? { coverage: partial } : {}), ...(degraded ? { degraded: degraded.to } : {}) }) + '\n');
    } else {
      const snippets = await Promise.all(hits.map((h) => engine.readText(h.chunk)));
      printHits(query, hits, snippets, m);
    }
  }
  return 0;
}
