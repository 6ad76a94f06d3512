/**
 * cluster, classify, related, outliers, duplicates: the analysis features from a terminal. Their
 * `--json` shapes are a contract relied on by external tooling (see README).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  classifyText, clusterNotes, findDuplicates, findOutliers, parseLabelsArg, parseLabelsFile, relatedFiles, type ClassifyOptions, type LabelSpec,
} from '../core/analysis';
import type { AnalysisInput, Engine } from '../core/engineTypes';
import { NoIndexError } from '../core/engine';
import { UsageError } from './args';
import { ExitError, type CliContext } from './context';

const r4 = (x: number) => Number(x.toFixed(4));
const print = (ctx: CliContext, json: unknown, human: () => string) =>
  process.stdout.write(ctx.args.json ? JSON.stringify(json) + '\n' : human() + '\n');

async function analysisInput(ctx: CliContext, engine: Engine): Promise<AnalysisInput> {
  await ctx.requireIndex(engine);
  const input = await engine.loadForAnalysis();
  if (!input) throw new ExitError(2, ctx.m.noIndex(ctx.args.positionals[0], ctx.args.provider));
  return input;
}

export async function runAnalysisCommand(ctx: CliContext): Promise<number> {
  const engine = await ctx.open();
  switch (ctx.args.command) {
    case 'cluster':
      return cluster(ctx, engine);
    case 'classify':
      return classify(ctx, engine);
    case 'related':
      return related(ctx, engine);
    case 'outliers':
      return outliers(ctx, engine);
    case 'duplicates':
      return duplicates(ctx, engine);
    default:
      throw new UsageError(`unknown command ${ctx.args.command}`);
  }
}

/** The `cluster --json` answer (the MCP `topics` tool returns the same). */
export async function clusterJson(input: AnalysisInput, options: { k?: number; notesGlobs?: readonly string[] }) {
  const result = await clusterNotes(input, options);
  const json = {
    topics: result.topics.map((t) => ({
      label: t.label,
      keywords: t.keywords,
      representative: t.representative,
      members: t.members.map((m) => ({ path: m.path, score: r4(m.score), x: r4(m.x), y: r4(m.y) })),
    })),
    outliers: result.outliers.map((o) => ({ path: o.path, score: r4(o.score) })),
    notes: result.notes,
    k: result.k,
    ...(result.silhouette !== undefined ? { silhouette: r4(result.silhouette) } : {}),
    provider: input.provider,
  };
  return { result, json };
}

async function cluster(ctx: CliContext, engine: Engine): Promise<number> {
  const input = await analysisInput(ctx, engine);
  const k = ctx.args.k === 'auto' ? undefined : ctx.args.k;
  const { result, json } = await clusterJson(input, { k, notesGlobs: ctx.args.notesGlobs });
  print(ctx, json, () => {
    const lines: string[] = [`${ctx.m.topics} (${result.topics.length}, ${result.notes} notes):`];
    for (const t of result.topics) {
      lines.push(`  ■ ${t.label}  (${t.size})`);
      for (const m of t.members) lines.push(`      ${m.path}  ${m.score.toFixed(3)}`);
    }
    if (result.outliers.length) {
      lines.push(`${ctx.m.outliers}:`);
      for (const o of result.outliers) lines.push(`      ${o.path}  ${o.score.toFixed(3)}`);
    }
    return lines.join('\n');
  });
  return 0;
}

function readLabels(ctx: CliContext): LabelSpec[] {
  const { labels, labelsFile } = ctx.args;
  if (labels && labelsFile) throw new UsageError('classify takes --labels or --labels-file, not both');
  if (labels) return parseLabelsArg(labels);
  if (labelsFile) {
    try {
      return parseLabelsFile(fs.readFileSync(labelsFile, 'utf8'));
    } catch (e) {
      throw new ExitError(2, `cannot read --labels-file ${labelsFile}: ${(e as Error).message}`);
    }
  }
  throw new UsageError('classify needs --labels "a,b,c" or --labels-file F');
}

/** The `classify --json` answer (the MCP `classify` tool returns the same). */
export async function classifyJson(text: string, labels: readonly LabelSpec[], options: ClassifyOptions) {
  const result = await classifyText(text, labels, options);
  const json = {
    labels: result.labels.map((l) => ({ label: l.label, score: r4(l.score), confidence: r4(l.confidence), matched: l.matched })),
    threshold: r4(result.threshold),
    mode: result.mode,
  };
  return { result, json };
}

async function classify(ctx: CliContext, engine: Engine): Promise<number> {
  const inline = ctx.args.positionals.slice(1).join(' ');
  if (inline && ctx.args.textFile) throw new UsageError('classify takes either <text> or --text-file, not both');
  let text = inline;
  if (ctx.args.textFile) {
    try {
      text = fs.readFileSync(ctx.args.textFile, 'utf8');
    } catch (e) {
      throw new ExitError(2, `cannot read --text-file ${ctx.args.textFile}: ${(e as Error).message}`);
    }
  }
  if (!text.trim()) throw new UsageError('classify needs <text> or --text-file F');
  const labels = readLabels(ctx);
  if (!labels.length) throw new UsageError('no labels given');
  const provider = ctx.args.provider;
  const embed = async (texts: readonly string[], as: 'document' | import('../core/types').QueryTask) => {
    try {
      return await engine.embedTexts(texts, as, ctx.signal);
    } catch (e) {
      // Offline vectors live in the index (the basis is learned from the folder).
      if (e instanceof NoIndexError) throw new ExitError(2, ctx.m.noIndex(ctx.args.positionals[0], provider));
      throw e;
    }
  };
  const { result, json } = await classifyJson(text, labels, { provider, embed });
  print(ctx, json, () =>
    [
      `threshold ${result.threshold.toFixed(3)} (${result.mode})`,
      ...result.labels.map((l) => `  ${l.matched ? '✔' : ' '} ${l.label.padEnd(20)} score ${l.score.toFixed(3)}  confidence ${(l.confidence * 100).toFixed(0)}%`),
    ].join('\n'),
  );
  return 0;
}

export const notIndexed = (posix: string) => `${posix} is not in the index (is it excluded, or was it added after the last index run?)`;

/** The `related --json` answer (the MCP `related` tool returns the same). */
export function relatedJson(input: AnalysisInput, posix: string, topK: number) {
  const result = relatedFiles(input, posix, { topK });
  return { result, json: { results: result.results.map((r) => ({ path: r.path, score: r4(r.score), kind: r.kind })) } };
}

async function related(ctx: CliContext, engine: Engine): Promise<number> {
  const file = ctx.args.positionals[1];
  if (!file) throw new UsageError('related needs <file> (relative to <dir>)');
  const rel = path.isAbsolute(file) ? path.relative(ctx.root, file) : file;
  const posix = rel.split(path.sep).join('/').replace(/^\.\//, '');
  const input = await analysisInput(ctx, engine);
  const { result, json } = relatedJson(input, posix, ctx.args.topK);
  if (!result.found) throw new ExitError(2, notIndexed(posix));
  print(ctx, json, () =>
    result.results.map((r) => `  ${r.score.toFixed(3)}  ${r.path}`).join('\n') || ctx.m.noResults,
  );
  return 0;
}

/** The `outliers --json` answer (the MCP `outliers` tool returns the same). */
export function outliersJson(input: AnalysisInput, topK?: number) {
  const result = findOutliers(input, { topK });
  return { result, json: { results: result.results.map((r) => ({ path: r.path, score: r4(r.score), group: r.group, reference: r.reference })) } };
}

async function outliers(ctx: CliContext, engine: Engine): Promise<number> {
  const input = await analysisInput(ctx, engine);
  const { result, json } = outliersJson(input, ctx.args.topK === 10 ? undefined : ctx.args.topK);
  print(ctx, json, () =>
    result.results.map((r) => `  ${r.score.toFixed(3)}  ${r.path}  (vs ${r.group} ${r.reference || '*'})`).join('\n') || ctx.m.noResults,
  );
  return 0;
}

/** The `duplicates --json` answer (the MCP `duplicates` tool returns the same). */
export async function duplicatesJson(input: AnalysisInput, options: { threshold?: number; signal?: AbortSignal }) {
  const result = await findDuplicates(input, options);
  const json = {
    pairs: result.pairs.map((p) => ({
      a: p.a, b: p.b, share: p.share, score: r4(p.score), kind: p.kind,
      places: p.places.map((x) => ({ a: x.a, b: x.b, score: r4(x.score) })),
    })),
  };
  return { result, json };
}

async function duplicates(ctx: CliContext, engine: Engine): Promise<number> {
  const input = await analysisInput(ctx, engine);
  const { result, json } = await duplicatesJson(input, { threshold: ctx.args.threshold, signal: ctx.signal });
  const pct = (x: number) => `${Math.round(x * 100)}%`.padStart(4);
  print(ctx, json, () =>
    result.pairs.map((p) => `  ${pct(p.share)}  ≈ ${p.score.toFixed(3)}  ${p.a}  ↔  ${p.b}`).join('\n') || ctx.m.noResults,
  );
  return 0;
}
