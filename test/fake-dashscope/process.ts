/**
 * The client side of the fake's one entry point: starts test/fake-dashscope/main.ts as a child
 * process (its CPU then never distorts the client's numbers), waits for its one "listening" line,
 * and talks to its /__fake/ control routes. The survival suites, the benchmarks and the
 * test-electron runner all start the fake through this.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { CONTROL_PREFIX } from './control';

const repoRoot = path.resolve(__dirname, '../..');
export const FAKE_MAIN = path.join(repoRoot, 'test/fake-dashscope/main.ts');

export class FakeDashScopeProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    private readonly out: { stdout: string; stderr: string },
  ) {}

  /** Starts main.ts with `args` (see its header for the flags). */
  static async start(args: readonly string[] = [], timeoutMs = 30_000): Promise<FakeDashScopeProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', FAKE_MAIN, '--port', '0', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const out = { stdout: '', stderr: '' };
    child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const listening = /listening on (http:\/\/[\d.:]+)/;
    const deadline = Date.now() + timeoutMs;
    while (!listening.test(out.stdout)) {
      if (child.exitCode !== null) throw new Error(`fake DashScope exited (${child.exitCode}): ${out.stderr}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`fake DashScope did not start in ${timeoutMs} ms: ${out.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return new FakeDashScopeProcess(child, listening.exec(out.stdout)![1], out);
  }

  /** Output of the server process so far (its "logs"). */
  get logs(): string {
    return this.out.stdout + this.out.stderr;
  }

  /** One control request on a fresh connection (no keep-alive race with the server's idle timeout). */
  control<T>(route: string, body?: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const req = http.request(`${this.url}${CONTROL_PREFIX}${route}`, { method: body === undefined ? 'GET' : 'POST', agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(parts).toString('utf8')) as T);
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await once(this.child, 'exit').catch(() => undefined);
    clearTimeout(t);
  }
}
