/** Helpers of the CLI tests: a small real corpus in a temp folder, and running the bundled CLI. */
import fs from 'node:fs';
import path from 'node:path';
import { cliEnv, runCliSync, type CliRun } from '../../support/cli';
import { tempDir } from '../../support/tempDir';

export { cliPath } from '../../support/cli';
export { repoRoot, tempDir } from '../../support/tempDir';
export type { CliRun };

export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
}

/** Six indexable files: TypeScript, Python, Go, Markdown in English and Chinese, plain text. */
export const SMALL_CORPUS: Readonly<Record<string, string>> = {
  'src/rate_limiter.ts': `/**
 * A token bucket that refills at a fixed rate; callers wait for a token before each request.
 */
export class TokenBucket {
  private tokens: number;
  constructor(private readonly capacity: number, private readonly refillPerSecond: number) {
    this.tokens = capacity;
  }

  /** Takes one token, refilling first from the elapsed time. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + now * this.refillPerSecond);
  }
}
`,
  'lib/mailbox.py': `class Mailbox:
    """A folder of messages on disk."""

    def __init__(self, path):
        self.path = path
        self.messages = []

    def __len__(self):
        """Return the message count of the mailbox."""
        return len(self.messages)
`,
  'cmd/health.go': `package main

// healthHandler answers the load balancer's liveness probe.
func healthHandler(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(200)
}
`,
  'docs/deploy.md': `# Deployment\n\n## Rollback\n\nTo roll back a release, redeploy the previous image tag.\n`,
  'docs/命令.md': `# 常用命令\n\n## 目录\n\n使用 ls 命令列出目录内容，加上 -l 参数显示详细信息。\n\n## 复制\n\n使用 cp 命令复制文件。\n`,
  'notes.txt': 'Buy coffee filters. Call the plumber about the kitchen sink.\n',
};

/** The six files plus a few that must be skipped (a .env, a private key, node_modules). */
export function makeCorpus(): string {
  const root = tempDir('sw-cli-corpus-');
  writeTree(root, {
    ...SMALL_CORPUS,
    '.env': 'DASHSCOPE_API_KEY=sk-should-never-be-read\n',
    'keys/server.pem': '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
    'node_modules/pkg/index.js': 'module.exports = 1;\n',
  });
  return root;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}, cwd?: string): CliRun {
  return runCliSync(args, { env: cliEnv(env), cwd });
}
