/**
 * The bundled CLI (dist/cli.js) run as a user runs it, for every suite that needs it: one minimal
 * environment (no proxy variables, a private cache dir, the C locale) and one synchronous runner.
 * (The survival suites add peak-RSS measurement and kill-at-a-moment on top: survival/support.ts.)
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, tempDir } from './tempDir';

export const cliPath = path.join(repoRoot, 'dist/cli.js');

/** A minimal environment: no proxy variables, a private cache dir, the C locale. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    XDG_CACHE_HOME: tempDir('sw-cli-cache-'),
    LANG: 'C',
    ...extra,
  };
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <cli> ...args` to completion in `cwd` (default: an empty temp folder). */
export function runCliSync(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; cli?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [opts.cli ?? cliPath, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd ?? tempDir('sw-cli-cwd-'),
    env: opts.env ?? cliEnv(),
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
