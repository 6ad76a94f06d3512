/**
 * The bundled CLI as a child process that does not block the event loop, so a fake server in
 * the same test process keeps answering while it runs (runCli in support.ts is synchronous).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cliEnv, cliPath } from '../../support/cli';
import { tempDir } from '../../support/tempDir';

export interface AsyncCliRun {
  readonly child: ChildProcess;
  readonly done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; seconds: number }>;
}

export function startCli(args: readonly string[], env: Record<string, string> = {}): AsyncCliRun {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: tempDir('sw-cli-cwd-'),
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; seconds: number }>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
  });
  return { child, done };
}

export function runCliAsync(args: readonly string[], env: Record<string, string> = {}) {
  return startCli(args, env).done;
}
