/**
 * search, related, find_similar: the retrieval tools. Each answer carries the CLI's `--json` fields
 * (same functions) plus what an agent needs to act without another read: the chunk text.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { SearchHit } from '../../core/types';
import { notIndexed, relatedJson } from '../analysisCommands';
import { hitJson } from '../searchCommands';
import type { McpFolder } from './folders';
import { ToolInputError, type Workspace } from './paths';
import { answer, capText, guarded, ready, type Extra } from './toolKit';

export const MAX_TOP_K = 50;

const topK = z.number().int('topK is a whole number').min(1, 'topK is at least 1').max(MAX_TOP_K, `topK is at most ${MAX_TOP_K}: ask for fewer results and refine the query instead`).optional()
  .describe(`How many results (1–${MAX_TOP_K}, default 10).`);

type Hit = ReturnType<typeof hitJson> & { text?: string };

interface FolderHit {
  readonly folder: McpFolder;
  readonly hit: SearchHit;
}

async function withText(ws: Workspace, hits: readonly FolderHit[]): Promise<Hit[]> {
  return Promise.all(
    hits.map(async ({ folder, hit }) => {
      const json = hitJson(hit);
      const text = capText(await folder.engine.readText(hit.chunk));
      return { ...json, path: ws.out(folder, json.path), ...(text !== undefined ? { text } : {}) };
    }),
  );
}

function hitsText(title: string, hits: readonly Hit[], notes: readonly string[]): string {
  const lines = [title, ...notes.map((n) => `note: ${n}`)];
  if (!hits.length) lines.push('No results. Try other words (any language works), mode "keyword" for exact identifiers, or drop the filters.');
  hits.forEach((h, i) => {
    const why = [
      h.why.terms.length ? `terms: ${h.why.terms.join(', ')}` : '',
      h.why.vectorScore !== undefined ? `cosine ${h.why.vectorScore}` : '',
    ].filter(Boolean).join('; ');
    lines.push('', `${i + 1}. ${h.path}:${h.startLine}-${h.endLine}${h.symbol ? `  ${h.symbol}` : ''}  [${h.kind}, score ${h.score.toFixed(3)}${why ? `; ${why}` : ''}]`);
    if (h.text !== undefined) lines.push('```' + (h.language || ''), h.text, '```');
  });
  return lines.join('\n');
}

/** Hits of every folder, merged by score (scores of one provider are on one scale). */
async function searchFolders(
  folders: readonly McpFolder[],
  query: string,
  extra: Extra,
  options: { topK: number; mode?: 'hybrid' | 'dense' | 'keyword'; kind?: 'code' | 'doc'; glob?: string; language?: string; task?: 'similarity' },
): Promise<{ hits: FolderHit[]; notes: string[] }> {
  const notes: string[] = [];
  const all: FolderHit[] = [];
  for (const folder of folders) {
    notes.push(...(await ready(folder, extra)));
    const hits = await folder.engine.search(query, {
      topK: options.topK,
      mode: options.mode,
      task: options.task,
      filter: { kind: options.kind, pathGlob: options.glob, language: options.language },
      signal: extra.signal,
    });
    // The query could not be embedded in time (endpoint down, key refused): keyword results, said so.
    if (hits.degraded) notes.push(`Keyword results only (degraded: ${hits.degraded.failure ?? 'keyword'}): ${hits.degraded.reason}`);
    all.push(...hits.map((hit) => ({ folder, hit })));
  }
  all.sort((a, b) => b.hit.score - a.hit.score);
  return { hits: all, notes };
}

export function registerSearchTools(server: McpServer, ws: Workspace): void {
  server.registerTool(
    'search',
    {
      title: 'Semantic code and notes search',
      description:
        'Search the workspace by meaning and keywords together (hybrid). Use it when you do not know the exact identifier or wording: ' +
        '"where do we retry failed uploads", "用户登录的校验逻辑", a concept, a behaviour, a bug description. Use grep instead for an exact string you already know. ' +
        'Queries in any language (Chinese, English, mixed) work alike. Returns ranked chunks with path, 1-based inclusive line range, symbol, kind (code|doc), ' +
        'score, why it matched (query terms found, cosine) and the chunk text (up to 2,000 characters, "…" when cut). The index is brought up to date with the files before it answers.',
      inputSchema: {
        query: z.string({ error: 'query is required: say what you are looking for, e.g. "where are API keys stored"' }).trim().min(1, 'query is empty: say what you are looking for, e.g. "where are API keys stored"').max(4000, 'query is longer than 4,000 characters; use find_similar for a whole passage')
          .describe('What to look for, in natural language or code words.'),
        topK,
        mode: z.enum(['hybrid', 'dense', 'keyword']).optional().describe('hybrid (default) = meaning + keywords; keyword = exact terms (BM25); dense = meaning only.'),
        kind: z.enum(['code', 'doc']).optional().describe('Only code or only documentation/notes.'),
        path: z.string().optional().describe('Only paths matching this glob (gitignore syntax), e.g. "src/**" or "*.md".'),
        language: z.string().optional().describe('Only this language id, e.g. "typescript", "python", "markdown".'),
      },
    },
    (args, extra) =>
      guarded(async () => {
        const scope = ws.glob(args.path);
        const { hits, notes } = await searchFolders(scope.folders, args.query, extra, {
          topK: args.topK ?? 10, mode: args.mode, kind: args.kind, glob: scope.glob, language: args.language,
        });
        const results = await withText(ws, hits.slice(0, args.topK ?? 10));
        return answer(hitsText(`Results for "${args.query}":`, results, notes), { query: args.query, results, ...(notes.length ? { notes } : {}) });
      }, extra),
  );

  server.registerTool(
    'related',
    {
      title: 'Files related to a file',
      description:
        'Files whose content is closest in meaning to the given file (not by name or imports): tests and docs of a module, code that does a similar job elsewhere. ' +
        'Returns {results: [{path, score, kind}]} like `semantic-workspace related --json`.',
      inputSchema: {
        path: z.string().min(1, 'path is empty: give a workspace-relative file path').describe('Workspace-relative path of an indexed file.'),
        topK,
      },
    },
    (args, extra) =>
      guarded(async () => {
        const { folder, rel } = ws.resolve(args.path);
        const notes = await ready(folder, extra);
        const input = await folder.engine.loadForAnalysis();
        if (!input) throw new ToolInputError(`There is no index for "${folder.name}". Call "reindex".`);
        const { result, json } = relatedJson(input, rel, args.topK ?? 10);
        if (!result.found) throw new ToolInputError(`${notIndexed(rel)} Check the path with the search tool.`);
        const results = json.results.map((r) => ({ ...r, path: ws.out(folder, r.path) }));
        const text = [`Files related to ${ws.out(folder, rel)}:`, ...notes.map((n) => `note: ${n}`), ...results.map((r) => `  ${r.score.toFixed(3)}  ${r.path}  (${r.kind})`)];
        if (!results.length) text.push('No related files.');
        return answer(text.join('\n'), { path: ws.out(folder, rel), results });
      }, extra),
  );

  server.registerTool(
    'find_similar',
    {
      title: 'Find code or text similar to a passage',
      description:
        'Chunks similar in meaning to a passage: give `text` (a snippet, an error message, a paragraph), or `path` + `startLine` + `endLine` of a range in the workspace. ' +
        'Finds re-implementations, copy-paste with renamed identifiers and notes on the same subject. The passage\'s own range is left out. Same result fields as search.',
      inputSchema: {
        text: z.string().optional().describe('The passage to match.'),
        path: z.string().optional().describe('Workspace-relative file of the passage (instead of text).'),
        startLine: z.number().int().min(1).optional().describe('1-based first line (with path).'),
        endLine: z.number().int().min(1).optional().describe('1-based last line, inclusive (with path).'),
        topK,
      },
    },
    (args, extra) =>
      guarded(async () => {
        let passage = args.text?.trim() ?? '';
        let source: { folder: McpFolder; rel: string; start: number; end: number } | undefined;
        if (passage && args.path) throw new ToolInputError('find_similar takes either text or path+startLine+endLine, not both.');
        if (!passage) {
          if (!args.path) throw new ToolInputError('find_similar needs text, or path with startLine and endLine.');
          const { folder, rel } = ws.resolve(args.path);
          // Never a door to files the index refuses (secrets, ignored, binary): they could be sent as a query.
          if (!(await folder.indexable(rel))) throw new ToolInputError(`${args.path} is not an indexed file (missing, ignored, secret-looking, binary or too large); pass its text instead if it is safe to.`);
          const lines = readLines(folder, rel);
          const start = args.startLine ?? 1;
          const end = Math.min(args.endLine ?? lines.length, lines.length);
          if (start > end) throw new ToolInputError(`Lines ${start}-${args.endLine ?? end} are not in ${args.path} (it has ${lines.length} lines).`);
          passage = lines.slice(start - 1, end).join('\n').trim();
          if (!passage) throw new ToolInputError(`Lines ${start}-${end} of ${args.path} are blank.`);
          source = { folder, rel, start, end };
        }
        const k = args.topK ?? 10;
        const { hits, notes } = await searchFolders(source ? [source.folder] : ws.folders, passage.slice(0, 8000), extra, { topK: k + 5, task: 'similarity' });
        const others = hits.filter(({ folder, hit }) => !(source && folder === source.folder && hit.chunk.path === source.rel && hit.chunk.startLine <= source.end && hit.chunk.endLine >= source.start));
        const results = await withText(ws, others.slice(0, k));
        const what = source ? `${ws.out(source.folder, source.rel)}:${source.start}-${source.end}` : 'the given text';
        return answer(hitsText(`Similar to ${what}:`, results, notes), { source: what, results, ...(notes.length ? { notes } : {}) });
      }, extra),
  );
}

function readLines(folder: McpFolder, rel: string): string[] {
  try {
    return fs.readFileSync(path.join(folder.root, ...rel.split('/')), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  } catch (e) {
    throw new ToolInputError(`Cannot read ${rel}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
  }
}
