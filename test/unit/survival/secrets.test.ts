/**
 * Suite 4 — secrets. One generated repository indexed with `--provider dashscope` through the
 * fake server (own process, every request body kept):
 *  - security excludes hold: `.env*`, keys, certificates, credential files hold unique sentinel
 *    strings; `.semanticignore` re-includes and `--include '**'` try to bring them back; no
 *    sentinel appears in any request body, any byte of the index directory, or the CLI output;
 *  - scrubbing holds at scale: hundreds of secrets of every format scrub.ts supports, in code,
 *    comments, Markdown and config files; none reaches the server or the index directory, and
 *    search still finds the code around each one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FakeProcess, HEAVY, STACK_TRACE, cliEnv, parseJsonLines, readAllFiles, rng, runCli, tempDir, writeCorpus, writeQueries, writeTree, type CapturedRequest, type CliResult, type SearchLine } from './support';
import { secretRepo, type Planted } from './supportSecrets';

const KEY = 'sk-secrets0123456789abcdef01234567';
const SENTINEL_FILES = [
  '.env', '.env.local', '.env.production', 'config/.env.staging', '.ENV.backup',
  'id_rsa', 'id_rsa.pub', 'deploy/id_ed25519', 'ID_DSA',
  'certs/server.pem', 'certs/server.key', 'certs/ca.crt', 'certs/client.cer', 'certs/store.p12', 'certs/store.pfx', 'certs/app.p8',
  'certs/Site.PEM', 'keystore.jks', 'release.keystore', 'vault.kdbx', 'vpn/office.ovpn',
  'credentials', 'credentials.json', 'app/credentials.yml', 'secrets.json', 'secrets.yaml', 'secrets.toml',
  '.npmrc', '.yarnrc.yml', '.netrc', '.pypirc', '.pgpass', '.htpasswd', '.git-credentials', '.dockercfg',
  'secrets/db.txt', 'secrets/nested/api.md', '.aws/credentials', '.aws/config', '.ssh/config', '.gnupg/pubring.kbx',
  '.docker/config.json', '.kube/config', '.azure/accessTokens.json', 'infra/terraform.tfstate', 'infra/terraform.tfstate.backup',
];

let fake: FakeProcess;
let root: string;
let indexDir: string;
let env: Record<string, string>;
let sentinels: Map<string, string>;
let planted: Planted[];
let run: CliResult;
let bodies: string[];
let requests: CapturedRequest[];

before(async () => {
  fake = await FakeProcess.start({ latencyMs: 1 });
  root = tempDir('sw-secrets-root-');
  sentinels = new Map();
  for (const f of SENTINEL_FILES) {
    const s = `SENTINEL${crypto.randomBytes(12).toString('hex')}`;
    sentinels.set(f, s);
    writeTree(root, { [f]: `# ${f}\nvalue = ${s}\nplain words ${s} more words\n` });
  }
  // Links to protected files are not a way around the excludes either.
  fs.mkdirSync(path.join(root, 'links'), { recursive: true });
  fs.symlinkSync('../.env', path.join(root, 'links/env.txt'));
  fs.symlinkSync('../secrets/db.txt', path.join(root, 'links/db.md'));
  // Ignore files and options that try to bring them back.
  writeTree(root, { '.semanticignore': '!.env\n!*.pem\n!secrets/\n!.aws/\n!credentials*\n!id_rsa\n', 'config/.semanticignore': '!.env.staging\n' });
  const repo = secretRepo(rng(4004), HEAVY ? 240 : 80, 6);
  planted = repo.planted;
  writeCorpus(root, repo.tree);

  indexDir = path.join(tempDir('sw-secrets-idx-'), 'idx');
  env = cliEnv({ DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: fake.url });
  run = await runCli(['index', root, '--provider', 'dashscope', '--index-dir', indexDir, '--json', '--include', '**', '--include', '.*'], { env });
  requests = await fake.requests();
  bodies = requests.map((q) => {
    // Decoded texts (JSON escapes undone) and the raw body: a needle must be in neither.
    try {
      const b = JSON.parse(q.body) as { input?: { texts?: string[] } };
      return `${q.body}\n${(b.input?.texts ?? []).join('\n')}`;
    } catch {
      return q.body;
    }
  });
});
after(async () => {
  await fake?.stop();
});

test('security excludes hold: no sentinel of a secret file reaches the server, the index or the output', (t) => {
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!STACK_TRACE.test(run.stderr));
  const report = JSON.parse(run.stdout) as { filesSkipped: Record<string, number>; filesIndexed: number };
  const indexFiles = readAllFiles(indexDir);
  const leaks: string[] = [];
  for (const [file, s] of sentinels) {
    if (bodies.some((b) => b.includes(s))) leaks.push(`${file}: in a request body`);
    if (indexFiles.some(([, bytes]) => bytes.includes(s))) leaks.push(`${file}: in the index directory`);
    if (run.stdout.includes(s) || run.stderr.includes(s)) leaks.push(`${file}: in the CLI output`);
  }
  // No request text even names a protected file (its path would be in the chunk header).
  const named = SENTINEL_FILES.filter((f) => bodies.some((b) => b.includes(`path: ${f}`)));
  t.diagnostic(`secret files planted ${sentinels.size} (+2 links, + re-includes in .semanticignore and --include '**'); ` +
    `skipped as security ${report.filesSkipped.security ?? 0} (a protected folder counts once); requests scanned ${requests.length}; sentinels leaked ${leaks.length}`);
  assert.deepEqual(leaks, []);
  assert.deepEqual(named, []);
  assert.ok((report.filesSkipped.security ?? 0) >= 30, JSON.stringify(report.filesSkipped));
});

test('scrubbing holds at scale: no planted secret reaches the server, and search still finds the code around it', async (t) => {
  assert.equal(run.code, 0, run.stderr);
  const byFormat = new Map<string, { planted: number; leaked: number }>();
  const leaks: string[] = [];
  for (const p of planted) {
    const e = byFormat.get(p.format) ?? { planted: 0, leaked: 0 };
    e.planted++;
    const leaked = p.needles.filter((n) => bodies.some((b) => b.includes(n)));
    if (leaked.length) {
      e.leaked++;
      const line = fs.readFileSync(path.join(root, p.file), 'utf8').split('\n').findIndex((l) => l.includes(leaked[0])) + 1;
      leaks.push(`${p.format} in ${p.file}:${line} (${p.anchor}): ${leaked.length} of ${p.needles.length} parts, e.g. ${leaked[0].slice(0, 24)}…`);
    }
    byFormat.set(p.format, e);
  }
  const placeholders = requests.reduce((a, q) => a + (q.body.match(/«secret»/g)?.length ?? 0), 0);
  // Does the CLI output carry any? And the local index (keyword postings hold raw words)?
  const outLeaks = planted.filter((p) => p.needles.some((n) => run.stdout.includes(n) || run.stderr.includes(n))).length;
  const indexFiles = readAllFiles(indexDir);
  const inIndex = planted.filter((p) => p.needles.some((n) => indexFiles.some(([, bytes]) => bytes.includes(n.toLowerCase()) || bytes.includes(n)))).length;

  // Search finds the code around secrets: every anchor, in keyword and in hybrid mode.
  const sample = planted.filter((_, i) => i % 3 === 0);
  const found: Record<string, number> = {};
  for (const mode of ['keyword', 'hybrid']) {
    const s = await runCli(['search', root, '--queries-file', writeQueries(sample.map((p) => p.anchor)), '--provider', 'dashscope', '--index-dir', indexDir, '--json', '--mode', mode, '--top-k', '3'], { env });
    assert.equal(s.code, 0, s.stderr);
    const lines = parseJsonLines(s.stdout) as unknown as SearchLine[];
    found[mode] = 0;
    const misses: string[] = [];
    sample.forEach((p, i) => {
      const hit = lines[i].results.find((h) => h.path === p.file);
      const text = fs.readFileSync(path.join(root, p.file), 'utf8').split('\n');
      if (hit && text.slice(hit.startLine - 1, hit.endLine).join('\n').includes(p.anchor)) found[mode]++;
      else misses.push(`${p.anchor} (${p.format}, ${p.file})`);
    });
    assert.deepEqual(misses, [], `--mode ${mode}: the code around these secrets is not found`);
  }
  t.diagnostic(`secrets planted ${planted.length} in ${new Set(planted.map((p) => p.file)).size} files (${byFormat.size} formats); request bodies scanned ${requests.length}; ` +
    `placeholders sent ${placeholders}; secrets leaked to the server ${leaks.length}; in CLI output ${outLeaks}; ` +
    `anchors found: keyword ${found.keyword}/${sample.length}, hybrid ${found.hybrid}/${sample.length}`);
  t.diagnostic(`per format (planted/leaked): ${[...byFormat].map(([f, e]) => `${f} ${e.planted}/${e.leaked}`).join(', ')}`);
  t.diagnostic(`secrets whose raw text is in the local index directory (keyword postings come from scrubbed text too): ${inIndex}/${planted.length}`);
  assert.deepEqual(leaks, [], `${leaks.length} planted secrets reached the server`);
  assert.equal(outLeaks, 0);
  assert.equal(inIndex, 0, `${inIndex} planted secrets are in the local index directory`);
});
