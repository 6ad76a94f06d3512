/**
 * classify, topics, outliers, duplicates: the analysis tools. Their structuredContent is exactly
 * the CLI's `--json` for the same question (the same functions build both); with several folders
 * they work on one (`folder`, default the first) and paths are prefixed with its name.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { parseLabelsFile, type LabelSpec } from '../../core/analysis';
import type { AnalysisInput } from '../../core/engineTypes';
import { classifyJson, clusterJson, duplicatesJson, outliersJson } from '../analysisCommands';
import type { McpFolder } from './folders';
import { ToolInputError, type Workspace } from './paths';
import { answer, guarded, ready, type Extra } from './toolKit';

const folderArg = z.string().optional().describe('With several folders: which one (its name). Default: the first.');

async function analysisInput(ws: Workspace, name: string | undefined, extra: Extra): Promise<{ folder: McpFolder; input: AnalysisInput; notes: string[] }> {
  const folder = ws.folder(name);
  const notes = await ready(folder, extra);
  const input = await folder.engine.loadForAnalysis();
  if (!input) throw new ToolInputError(`There is no index for "${folder.name}". Call "reindex".`);
  return { folder, input, notes };
}

/** `label` or `label: description`; anything else is refused with the expected format. */
export function parseLabelList(labels: readonly string[]): LabelSpec[] {
  const bad = labels.filter((l) => !l.trim() || /[\r\n]/.test(l) || /^[:：]/.test(l.trim()));
  if (bad.length) {
    throw new ToolInputError(
      `Unknown label format: ${bad.map((b) => JSON.stringify(b)).join(', ')}. Each label is one line: "bug" or "bug: something is broken" (a name, optionally ":" and a description).`,
    );
  }
  const specs = parseLabelsFile(labels.join('\n'));
  if (specs.length < 2) throw new ToolInputError('classify needs at least two distinct labels to choose between.');
  return specs;
}

export function registerAnalysisTools(server: McpServer, ws: Workspace): void {
  const prefix = (folder: McpFolder, p: string) => ws.out(folder, p);

  server.registerTool(
    'classify',
    {
      title: 'Zero-shot tagging of a text',
      description:
        'Scores how well each label fits a text (zero-shot: no training), e.g. to triage an issue or tag a note. Labels are "name" or "name: description". ' +
        'Returns {labels: [{label, score, confidence, matched}], threshold, mode} like `semantic-workspace classify --json`.',
      inputSchema: {
        text: z.string().trim().min(1, 'text is empty: give the passage to classify').describe('The text to classify.'),
        labels: z.array(z.string()).min(1, 'labels is empty: give two or more, e.g. ["bug", "feature: a new capability"]').max(200)
          .describe('Candidate labels, each "name" or "name: description".'),
        folder: folderArg,
      },
    },
    (args, extra) =>
      guarded(async () => {
        const labels = parseLabelList(args.labels);
        const folder = ws.folder(args.folder);
        const notes = await ready(folder, extra);
        const { json } = await classifyJson(args.text, labels, {
          provider: folder.provider,
          embed: (texts, as) => folder.engine.embedTexts(texts, as, extra.signal),
        });
        const lines = [`threshold ${json.threshold} (${json.mode})`, ...notes.map((n) => `note: ${n}`),
          ...json.labels.map((l) => `  ${l.matched ? '✔' : ' '} ${l.label}  score ${l.score}  confidence ${Math.round(l.confidence * 100)}%`)];
        return answer(lines.join('\n'), json);
      }, extra),
  );

  server.registerTool(
    'topics',
    {
      title: 'Topics of the notes',
      description:
        'Clusters the notes (Markdown/text by default) into named topics with keywords, and lists notes that fit no topic. ' +
        'Returns {topics: [{label, keywords, representative, members: [{path, score, x, y}]}], outliers, notes, k, silhouette?, provider} like `semantic-workspace cluster --json`.',
      inputSchema: {
        notes: z.string().optional().describe('Glob of the files that count as notes (gitignore syntax), e.g. "docs/**/*.md". Default: **/*.md and **/*.txt.'),
        k: z.number().int().min(2).max(50).optional().describe('Number of topics (2–50). Default: chosen automatically.'),
        folder: folderArg,
      },
    },
    (args, extra) =>
      guarded(async () => {
        const { folder, input, notes } = await analysisInput(ws, args.folder, extra);
        const { json } = await clusterJson(input, { k: args.k, notesGlobs: args.notes ? [args.notes] : undefined });
        if (ws.multi) {
          for (const t of json.topics) for (const m of t.members) m.path = prefix(folder, m.path);
          for (const o of json.outliers) o.path = prefix(folder, o.path);
        }
        const lines = [`${json.topics.length} topics over ${json.notes} notes:`, ...notes.map((n) => `note: ${n}`)];
        for (const t of json.topics) lines.push(`■ ${t.label} — ${t.keywords.slice(0, 6).join(', ')}`, ...t.members.map((m) => `    ${m.path}  ${m.score}`));
        if (json.outliers.length) lines.push('Notes that fit no topic:', ...json.outliers.map((o) => `    ${o.path}  ${o.score}`));
        return answer(lines.join('\n'), json);
      }, extra),
  );

  server.registerTool(
    'outliers',
    {
      title: 'Files that do not fit in',
      description:
        'Files least similar to their folder (or their topic, for notes): misplaced code, stray notes, odd ones out. ' +
        'Returns {results: [{path, score, group, reference}]} (lowest similarity first) like `semantic-workspace outliers --json`.',
      inputSchema: {
        topK: z.number().int().min(1).max(500).optional().describe('How many (default 50).'),
        folder: folderArg,
      },
    },
    (args, extra) =>
      guarded(async () => {
        const { folder, input, notes } = await analysisInput(ws, args.folder, extra);
        const { json } = outliersJson(input, args.topK);
        const results = json.results.map((r) => ({ ...r, path: prefix(folder, r.path) }));
        const lines = ['Outliers (lowest similarity to their group first):', ...notes.map((n) => `note: ${n}`),
          ...results.map((r) => `  ${r.score.toFixed(3)}  ${r.path}  (vs ${r.group} ${r.reference || '*'})`)];
        return answer(lines.join('\n'), { ...json, results });
      }, extra),
  );

  server.registerTool(
    'duplicates',
    {
      title: 'Near-duplicate files',
      description:
        'Pairs of near-duplicate files, one per pair: notes compared whole (share of identical text, frontmatter and boilerplate ignored), ' +
        'code by matching chunks (copy-paste, also with renamed identifiers): candidates for a shared function or a merge of notes. ' +
        'Returns the same JSON as `semantic-workspace duplicates --json`: {"pairs": [{"a", "b", "share", "score", "kind", "places"}]} with 1-based inclusive line ranges.',
      inputSchema: {
        threshold: z.number().gt(0, 'threshold is a cosine in (0, 1], e.g. 0.95').max(1, 'threshold is a cosine in (0, 1], e.g. 0.95').optional()
          .describe('Cosine similarity from which two code chunks match (default 0.95).'),
        folder: folderArg,
      },
    },
    (args, extra) =>
      guarded(async () => {
        const { folder, input, notes } = await analysisInput(ws, args.folder, extra);
        const { json } = await duplicatesJson(input, { threshold: args.threshold, signal: extra.signal });
        const out = ws.multi ? prefixPaths(json, (p) => prefix(folder, p)) : json;
        const text = [...notes.map((n) => `note: ${n}`), JSON.stringify(out, null, 1)].join('\n');
        return answer(text, out as Record<string, unknown>);
      }, extra),
  );
}

/** Prefixes every path field (`path`, and a pair's `a`/`b` when they are strings), whatever the shape. */
function prefixPaths<T>(value: T, f: (p: string) => string): T {
  if (Array.isArray(value)) return value.map((v) => prefixPaths(v, f)) as T;
  if (value && typeof value === 'object') {
    const isPath = (k: string, v: unknown): v is string => typeof v === 'string' && (k === 'path' || k === 'a' || k === 'b');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isPath(k, v) ? f(v) : prefixPaths(v, f)])) as T;
  }
  return value;
}
