/**
 * The team index from the CLI: which URL (flag, then SEMANTIC_WORKSPACE_TEAM_INDEX), the report
 * lines of `index`, and `team status` / `team prune`. A team index failure is one message and
 * exit 1; the local index is never touched by it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TeamIndexReport } from '../core/engineTypes';
import type { Logger } from '../core/types';
import { TeamIndex, TeamIndexError, pruneTeam, repoIdentity, teamStatus, TeamStore } from '../core/team';
import type { CliArgs } from './args';

export function teamIndexUrl(args: CliArgs, env: NodeJS.ProcessEnv): string | undefined {
  return args.teamIndex?.trim() || env.SEMANTIC_WORKSPACE_TEAM_INDEX?.trim() || undefined;
}

/** Exit code of a team index error: 2 for what the user must change first, else 1. */
export function teamExitCode(e: TeamIndexError): number {
  return e.kind === 'config' || e.kind === 'offline' || e.kind === 'missing' || e.kind === 'fingerprint' ? 2 : 1;
}

export function createTeamIndex(args: CliArgs, env: NodeJS.ProcessEnv, root: string, logger?: Logger): TeamIndex | undefined {
  const url = teamIndexUrl(args, env);
  if (!url) return undefined;
  return new TeamIndex({ url, root, repoId: args.repoId, storeText: args.storeText, logger });
}

export function teamReportLine(r: TeamIndexReport, embedded: number): string {
  if (r.error) return `error: ${r.error.message}`;
  const p = r.published;
  const what = p ? (p.existed ? `snapshot #${p.snapshotId} already published (refreshed)` : `published snapshot #${p.snapshotId} (${p.chunkRows} chunks, ${p.contentRows} new texts, ${p.seconds.toFixed(1)}s)`) : 'nothing published';
  return `team index ${r.host}: ${r.shared} chunks shared, ${embedded} embedded locally; ${what}.`;
}

function human(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/** `team status [<dir>]` and `team prune`. */
export async function runTeamCommand(args: CliArgs, env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, dir] = args.positionals;
  if (sub !== 'status' && sub !== 'prune') {
    process.stderr.write('team: expected "team status [<dir>]" or "team prune [--older-than DAYS]"\n');
    return 2;
  }
  const url = teamIndexUrl(args, env);
  if (!url) {
    process.stderr.write('team: no team index named: pass --team-index postgres://… or set SEMANTIC_WORKSPACE_TEAM_INDEX\n');
    return 2;
  }
  let store: TeamStore | undefined;
  try {
    let repo = args.repoId;
    if (!repo && dir) {
      const root = path.resolve(dir);
      if (!fs.existsSync(root)) {
        process.stderr.write(`Not a folder: ${dir}\n`);
        return 2;
      }
      repo = repoIdentity(root).id;
    }
    store = await TeamStore.open(url);
    if (sub === 'status') {
      const s = await teamStatus(store, repo);
      if (args.json) process.stdout.write(JSON.stringify(s) + '\n');
      else {
        const lines = [`team index ${s.url} (schema ${s.schemaVersion})${repo ? `, repository ${repo}` : ''}`];
        lines.push(`snapshots: ${s.snapshots.length}`);
        for (const x of s.snapshots) lines.push(`  #${x.id} ${x.repository} ${x.ref ?? ''}@${(x.commit ?? 'no-commit').slice(0, 12)}  ${x.chunks} chunks, ${x.files} files  ${x.fingerprint}  last seen ${x.lastSeen}`);
        lines.push(`fingerprints: ${s.fingerprints.length}`);
        for (const f of s.fingerprints) lines.push(`  ${f.label} (${f.dims}-d): ${f.vectors} vectors, ${human(f.vectorBytes)}`);
        lines.push(`rows: ${Object.entries(s.rows).map(([t, n]) => `${t}=${n}`).join(', ')}`);
        lines.push(`bytes on the server: ${human(s.bytes)}`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      return 0;
    }
    const r = await pruneTeam(store, { olderThanDays: args.olderThanDays ?? 30, repoId: repo, graceMinutes: env.SEMANTIC_WORKSPACE_PRUNE_GRACE_MINUTES ? Number(env.SEMANTIC_WORKSPACE_PRUNE_GRACE_MINUTES) : undefined });
    if (args.json) process.stdout.write(JSON.stringify(r) + '\n');
    else process.stdout.write(`Pruned ${r.snapshots} snapshot(s), ${r.vectors} orphan vector(s), ${r.chunks} orphan chunk text(s).\n`);
    return 0;
  } catch (e) {
    if (e instanceof TeamIndexError) {
      process.stderr.write(`error: ${e.message}\n`);
      return teamExitCode(e);
    }
    throw e;
  } finally {
    await store?.close();
  }
}
