/**
 * `semantic-workspace` — the core from a terminal. Exit codes: 0 ok, 1 failure, 2 bad usage,
 * missing index or provider mismatch (with a message saying what to run).
 */
import fs from 'node:fs';
import path from 'node:path';
import { NoIndexError, openEngine } from '../core/engine';
import type { EngineConfig } from '../core/engineTypes';
import { EmbedError } from '../core/embedding';
import { setCodeRetention } from '../core/chunking';
import { parseCli, UsageError, type CliArgs } from './args';
import { apiKeyFor, remoteSettingsFrom } from './environment';
import { messages, type Messages } from './messages';
import { runAnalysisCommand } from './analysisCommands';
import { runIndex, runSearch } from './searchCommands';
import { ExitError, type CliContext } from './context';
import { runMcpCommand } from './mcp/command';
import { createTeamIndex, runTeamCommand, teamExitCode, teamIndexUrl } from './teamCommands';
import { TeamIndexError, hostOf, type TeamIndex } from '../core/team';

const VERSION = '0.1.0';

function stderrLogger(json: boolean) {
  return {
    info: (s: string) => { if (!json) process.stderr.write(s + '\n'); },
    warn: (s: string) => process.stderr.write(`warning: ${s}\n`),
    error: (s: string) => process.stderr.write(`error: ${s}\n`),
  };
}

/** The engine settings the flags and the environment name for one folder (also used by `mcp`). */
export function engineConfigFor(args: CliArgs, env: NodeJS.ProcessEnv, root: string, m: Messages, logger: EngineConfig['logger']): EngineConfig {
  const apiKey = apiKeyFor(args.provider, env, process.cwd());
  if (args.provider === 'dashscope' && !apiKey) throw new ExitError(2, m.needKey('dashscope'));
  if (args.provider === 'openai' && !args.model) throw new ExitError(2, m.needModel);
  return {
    root,
    indexDir: args.indexDir ? path.resolve(args.indexDir) : undefined,
    provider: args.provider,
    remote: remoteSettingsFrom(args, env),
    apiKey,
    include: args.include,
    exclude: args.exclude,
    maxFileBytes: args.maxFileBytes,
    maxChunkTokens: args.chunkTokens,
    tokenBudget: args.tokenBudget,
    logger,
  };
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const m = messages(env);
  let args: CliArgs;
  try {
    args = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n\n${m.usage}\n`);
      return 2;
    }
    throw e;
  }
  if (args.command === 'help') {
    process.stdout.write(m.usage + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  if (args.command === 'version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  if (args.command === 'team') return runTeamCommand(args, env);
  if (args.command === 'mcp') {
    try {
      return await runMcpCommand(args, m, (root, logger) => engineConfigFor(args, env, root, m, logger));
    } catch (e) {
      if (!(e instanceof ExitError)) throw e;
      process.stderr.write(e.message + '\n');
      return e.code;
    }
  }
  const dirArg = args.positionals[0];
  if (!dirArg) {
    process.stderr.write(`${args.command}: missing <dir>\n\n${m.usage}\n`);
    return 2;
  }
  const root = path.resolve(dirArg);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    process.stderr.write(m.notADir(dirArg) + '\n');
    return 2;
  }

  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // One team index connection per process, closed on the way out (an open socket keeps Node alive).
  let team: TeamIndex | undefined;
  const config = (): EngineConfig => ({
    ...engineConfigFor(args, env, root, m, stderrLogger(args.json)),
    team: (team ??= createTeamIndex(args, env, root, stderrLogger(args.json))),
  });
  const ctx: CliContext = {
    args,
    m,
    root,
    signal: controller.signal,
    env,
    ...(teamIndexUrl(args, env) ? { teamIndex: hostOf(teamIndexUrl(args, env)!) } : {}),
    open: () => openEngine(config()),
    async teamConnect() {
      const t = (team ??= createTeamIndex(args, env, root, stderrLogger(args.json)));
      if (t) await t.connection();
    },
    async requireIndex(engine) {
      const status = await engine.status();
      if (!status.exists) throw new ExitError(2, m.noIndex(dirArg, args.provider));
    },
  };

  try {
    switch (args.command) {
      case 'index':
        setCodeRetention(false); // the process exits after this run: no later update would use the code
        return await runIndex(ctx);
      case 'search':
        return await runSearch(ctx);
      case 'status': {
        const engine = await ctx.open();
        const status = await engine.status();
        process.stdout.write(args.json ? JSON.stringify({ ...status, indexDir: engine.indexDir }) + '\n' : `${JSON.stringify({ ...status, indexDir: engine.indexDir }, null, 2)}\n`);
        return status.exists ? 0 : 2;
      }
      case 'clear': {
        const engine = await ctx.open();
        await engine.clear();
        if (!args.json) process.stdout.write(m.cleared(engine.indexDir) + '\n');
        else process.stdout.write(JSON.stringify({ cleared: engine.indexDir }) + '\n');
        return 0;
      }
      default:
        return await runAnalysisCommand(ctx);
    }
  } catch (e) {
    if (e instanceof TeamIndexError) {
      process.stderr.write(`error: ${e.message}\n`);
      return teamExitCode(e);
    }
    if (e instanceof ExitError) {
      process.stderr.write(e.message + '\n');
      return e.code;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof NoIndexError) {
      // A damaged index is as good as none: `index` detects the damage and rebuilds it.
      process.stderr.write(`${e.message}\n${m.noIndex(dirArg, args.provider)}\n`);
      return 2;
    }
    if (controller.signal.aborted) {
      process.stderr.write(m.interrupted + '\n');
      return 130;
    }
    // EmbedError messages are written to be shown as they are (actionable, never holding the key).
    const msg = e instanceof EmbedError ? e.message : e instanceof Error ? e.message : String(e);
    process.stderr.write(`error: ${msg}\n`);
    if (env.SEMANTIC_WORKSPACE_DEBUG && e instanceof Error && !(e instanceof EmbedError)) process.stderr.write(`${e.stack}\n`);
    return 1;
  } finally {
    await team?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
