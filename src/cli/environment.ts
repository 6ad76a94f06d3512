/**
 * Where the CLI takes keys and endpoints from. The key may come from the environment or — like
 * the DashScope examples — from a `.env` file in the current directory, but only the key: an
 * endpoint is never read from `.env`, because a cloned repository must not be able to redirect
 * the user's key and code to another host.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RemoteSettings } from '../core/engineTypes';
import type { ProviderId } from '../core/types';
import type { CliArgs } from './args';

/** Reads one variable from a dotenv file without evaluating anything else in it. */
export function readDotEnvValue(file: string, name: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m || m[1] !== name) continue;
    let value = m[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    return value || undefined;
  }
  return undefined;
}

export function apiKeyFor(provider: ProviderId, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (provider === 'dashscope') {
    return env.DASHSCOPE_API_KEY || readDotEnvValue(path.join(cwd, '.env'), 'DASHSCOPE_API_KEY');
  }
  if (provider === 'openai') {
    return env.OPENAI_API_KEY || readDotEnvValue(path.join(cwd, '.env'), 'OPENAI_API_KEY');
  }
  return undefined;
}

/** Remote settings from flags and the real environment (never from `.env`). */
export function remoteSettingsFrom(args: CliArgs, env: NodeJS.ProcessEnv): RemoteSettings {
  const baseUrl =
    args.provider === 'dashscope'
      ? env.DASHSCOPE_BASE_URL || env.DASHSCOPE_HTTP_BASE_URL || undefined
      : args.provider === 'openai'
        ? env.OPENAI_BASE_URL || undefined
        : undefined;
  return {
    region: args.region as RemoteSettings['region'],
    baseUrl,
    model: args.model,
    dimensions: args.dimensions,
    transport: args.transport,
    sparse: args.sparse || undefined,
    concurrency: args.concurrency,
    requestsPerMinute: args.rpm,
    tokensPerMinute: args.tpm,
    timeoutMs: args.timeoutMs,
    // How long a search waits for its query embedding before answering from keywords (default 5 s).
    queryBudgetMs: Number(env.SEMANTIC_WORKSPACE_QUERY_BUDGET_MS) > 0 ? Number(env.SEMANTIC_WORKSPACE_QUERY_BUDGET_MS) : undefined,
  };
}
