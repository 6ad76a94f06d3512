/**
 * Command-line parsing. The command names, flags and their meaning are a contract relied on by
 * external tooling (see README): change nothing here without keeping the old spelling working.
 */
import { parseArgs } from 'node:util';
import type { ProviderId, SearchMode } from '../core/types';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const COMMANDS = ['index', 'search', 'cluster', 'classify', 'related', 'outliers', 'duplicates', 'status', 'clear', 'mcp', 'team'] as const;
export type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  provider: { type: 'string' },
  'index-dir': { type: 'string' },
  'dry-run': { type: 'boolean' },
  rebuild: { type: 'boolean' },
  json: { type: 'boolean' },
  'top-k': { type: 'string' },
  mode: { type: 'string' },
  'queries-file': { type: 'string' },
  kind: { type: 'string' },
  path: { type: 'string' },
  language: { type: 'string' },
  model: { type: 'string' },
  dimensions: { type: 'string' },
  region: { type: 'string' },
  transport: { type: 'string' },
  sparse: { type: 'boolean' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'max-file-size': { type: 'string' },
  'chunk-tokens': { type: 'string' },
  'token-budget': { type: 'string' },
  concurrency: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  timeout: { type: 'string' },
  k: { type: 'string' },
  labels: { type: 'string' },
  'labels-file': { type: 'string' },
  'text-file': { type: 'string' },
  threshold: { type: 'string' },
  notes: { type: 'string', multiple: true },
  rerank: { type: 'boolean' },
  'rerank-model': { type: 'string' },
  'team-index': { type: 'string' },
  'repo-id': { type: 'string' },
  remote: { type: 'boolean' },
  'store-text': { type: 'boolean' },
  'older-than': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export interface CliArgs {
  readonly command: CommandName | 'help' | 'version';
  readonly positionals: readonly string[];
  readonly provider: ProviderId;
  readonly providerGiven: boolean;
  readonly indexDir?: string;
  readonly dryRun: boolean;
  readonly rebuild: boolean;
  readonly json: boolean;
  readonly topK: number;
  readonly mode: SearchMode;
  readonly queriesFile?: string;
  readonly kind?: 'code' | 'doc';
  readonly pathGlob?: string;
  readonly language?: string;
  readonly model?: string;
  readonly dimensions?: number;
  readonly region?: string;
  readonly transport?: 'native' | 'compatible';
  readonly sparse: boolean;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly maxFileBytes?: number;
  readonly chunkTokens?: number;
  readonly tokenBudget?: number;
  readonly concurrency?: number;
  readonly rpm?: number;
  readonly tpm?: number;
  readonly timeoutMs?: number;
  readonly k?: number | 'auto';
  readonly labels?: string;
  readonly labelsFile?: string;
  readonly textFile?: string;
  readonly threshold?: number;
  readonly notesGlobs?: readonly string[];
  /** search: rerank the first ~50 hits with a cloud reranker (waits for it; falls back with a note). */
  readonly rerank: boolean;
  readonly rerankModel?: string;
  /** Team index (core/team): postgres URL (or SEMANTIC_WORKSPACE_TEAM_INDEX), repository name, remote search. */
  readonly teamIndex?: string;
  readonly repoId?: string;
  readonly remote: boolean;
  readonly storeText: boolean;
  /** `team prune`: snapshots not seen for this many days. */
  readonly olderThanDays?: number;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} takes a positive whole number, got "${value}"`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

function olderThan(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0)) throw new UsageError(`--older-than takes a number of days >= 0, got "${value}"`);
  return n;
}

export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const v = parsed.values;
  const [first, ...rest] = parsed.positionals;
  let command: CliArgs['command'];
  if (v.version) command = 'version';
  else if (v.help || first === undefined || first === 'help') command = 'help';
  else if ((COMMANDS as readonly string[]).includes(first)) command = first as CommandName;
  else throw new UsageError(`unknown command "${first}" (commands: ${COMMANDS.join(', ')})`);

  const threshold = v.threshold === undefined ? undefined : Number(v.threshold);
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) throw new UsageError(`--threshold takes a number in (0, 1], got "${v.threshold}"`);
  const k = v.k === undefined || v.k === 'auto' ? (v.k as 'auto' | undefined) : positiveInt('k', v.k);
  const timeoutSec = v.timeout === undefined ? undefined : Number(v.timeout);
  if (timeoutSec !== undefined && !(timeoutSec > 0)) throw new UsageError(`--timeout takes seconds > 0, got "${v.timeout}"`);

  return {
    command,
    positionals: rest,
    provider: oneOf('provider', v.provider, ['offline', 'dashscope', 'openai'] as const) ?? 'offline',
    providerGiven: v.provider !== undefined,
    indexDir: v['index-dir'],
    dryRun: !!v['dry-run'],
    rebuild: !!v.rebuild,
    json: !!v.json,
    topK: positiveInt('top-k', v['top-k']) ?? 10,
    mode: oneOf('mode', v.mode, ['hybrid', 'dense', 'keyword'] as const) ?? 'hybrid',
    queriesFile: v['queries-file'],
    kind: oneOf('kind', v.kind, ['code', 'doc'] as const),
    pathGlob: v.path,
    language: v.language,
    model: v.model,
    dimensions: positiveInt('dimensions', v.dimensions),
    region: oneOf('region', v.region, ['singapore', 'beijing', 'us', 'hongkong'] as const),
    transport: oneOf('transport', v.transport, ['native', 'compatible'] as const),
    sparse: !!v.sparse,
    include: v.include,
    exclude: v.exclude,
    maxFileBytes: positiveInt('max-file-size', v['max-file-size']),
    chunkTokens: positiveInt('chunk-tokens', v['chunk-tokens']),
    tokenBudget: positiveInt('token-budget', v['token-budget']),
    concurrency: positiveInt('concurrency', v.concurrency),
    rpm: positiveInt('rpm', v.rpm),
    tpm: positiveInt('tpm', v.tpm),
    timeoutMs: timeoutSec === undefined ? undefined : Math.round(timeoutSec * 1000),
    k,
    labels: v.labels,
    labelsFile: v['labels-file'],
    textFile: v['text-file'],
    threshold,
    notesGlobs: v.notes,
    rerank: !!v.rerank,
    rerankModel: v['rerank-model'],
    teamIndex: v['team-index'],
    repoId: v['repo-id'],
    remote: !!v.remote,
    storeText: !!v['store-text'],
    olderThanDays: olderThan(v['older-than']),
  };
}
