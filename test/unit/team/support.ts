/**
 * Real PostgreSQL servers for the team index tests (no mocks): PGlite + pgvector over the wire
 * protocol in a child process, a TCP proxy that can slow or cut connections (a database that
 * disappears mid-publish), and Debian's postgresql-15 (passwords, TLS, no pgvector) started as
 * the `postgres` user in a temp data dir on an ephemeral port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const repoRoot = path.resolve(__dirname, '../../..');

export interface PgliteServer {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startPglite(opts: { maxConnections?: number; noVector?: boolean; dataDir?: string } = {}): Promise<PgliteServer> {
  const args = ['--import', 'tsx', path.join(repoRoot, 'test/support/pgliteServer.ts'), '--max-connections', String(opts.maxConnections ?? 1)];
  if (opts.noVector) args.push('--no-vector');
  if (opts.dataDir) args.push('--data', opts.dataDir);
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`PGlite server exited (${code}) before listening`)));
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

/** A TCP proxy to `port`; `delayMs` holds every chunk each way; `cut()` drops every connection. */
export async function startProxy(port: number, delayMs = 0): Promise<{ port: number; url: string; cut(): void; close(): Promise<void>; setDelay(ms: number): void }> {
  const sockets = new Set<net.Socket>();
  let delay = delayMs;
  let refusing = false;
  const pipe = (from: net.Socket, to: net.Socket) => from.on('data', (d) => {
    if (delay > 0) setTimeout(() => to.writable && to.write(d), delay);
    else if (to.writable) to.write(d);
  });
  const server = net.createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    pipe(client, upstream);
    pipe(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const p = (server.address() as net.AddressInfo).port;
  return {
    port: p, url: `postgres://postgres@127.0.0.1:${p}/postgres`,
    cut() {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    setDelay(ms) {
      delay = ms;
    },
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** Every snapshot's chunk rows have a vector and published terms: the "no half snapshot" check. */
export async function storeIsConsistent(url: string): Promise<{ snapshots: number; holes: number; rowMismatch: number }> {
  const fps = await sql<{ id: number }>(url, 'SELECT id FROM sw_fingerprints');
  let holes = 0;
  for (const f of fps) {
    const r = await sql<{ n: string }>(url, `SELECT count(*) AS n FROM sw_snapshot_chunks sc JOIN sw_snapshots s ON s.id = sc.snapshot
      WHERE s.fp = $1 AND (NOT EXISTS (SELECT 1 FROM sw_vectors_${f.id} v WHERE v.hash = sc.hash) OR NOT EXISTS (SELECT 1 FROM sw_chunks c WHERE c.fp = $1 AND c.hash = sc.hash))`, [f.id]);
    holes += Number(r[0].n);
  }
  const mismatch = await sql<{ n: string }>(url, `SELECT count(*) AS n FROM sw_snapshots s WHERE s.chunk_count <> (SELECT count(*) FROM sw_snapshot_chunks sc WHERE sc.snapshot = s.id)`);
  const snaps = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM sw_snapshots');
  return { snapshots: Number(snaps[0].n), holes, rowMismatch: Number(mismatch[0].n) };
}

// ---------------------------------------------------------------------------------------------
// Debian postgresql-15

export interface Postgres15 {
  /** A URL for `user` (postgres: plain or TLS; tlsonly: TLS only) with `password`. */
  url(user: 'postgres' | 'tlsonly', password: string, query?: string): string;
  readonly password: string;
  stop(): void;
}

function pgBin(): string | undefined {
  const dir = '/usr/lib/postgresql/15/bin';
  return fs.existsSync(path.join(dir, 'initdb')) ? dir : undefined;
}

/**
 * Installs postgresql-15 when missing (CI runs as root on a clean machine; see
 * scripts/team/ensure-postgres.sh), then starts a throwaway cluster with TLS on and two users.
 * Returns a reason string instead when it cannot run here.
 */
export async function startPostgres15(): Promise<Postgres15 | string> {
  if (!pgBin()) {
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts/team/ensure-postgres.sh')], { encoding: 'utf8', timeout: 600_000 });
    if (!pgBin()) return `postgresql-15 is not installed and could not be installed (${(r.stderr || r.stdout || '').trim().split('\n').pop()})`;
  }
  const bin = pgBin()!;
  const isRoot = process.getuid?.() === 0;
  const asPg = (cmd: string, args: string[]) => isRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  if (isRoot && spawnSync('id', ['postgres']).status !== 0) return 'no postgres user to run PostgreSQL as (it refuses root)';
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-pg15-'));
  fs.chmodSync(base, 0o755);
  const data = path.join(base, 'data');
  const password = 'right-password-15';
  fs.writeFileSync(path.join(base, 'pw'), password + '\n');
  const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-keyout', path.join(base, 'server.key'), '-out', path.join(base, 'server.crt')], { encoding: 'utf8' });
  if (ssl.status !== 0) return `openssl could not make a test certificate: ${ssl.stderr.trim().split('\n').pop()}`;
  fs.chmodSync(path.join(base, 'server.key'), 0o600);
  if (isRoot) spawnSync('chown', ['-R', 'postgres', base]);
  const init = asPg(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${path.join(base, 'pw')}`]);
  if (init.status !== 0) return `initdb failed: ${init.stderr.trim().split('\n').pop()}`;
  fs.appendFileSync(path.join(data, 'postgresql.conf'), `\nssl = on\nssl_cert_file = '${base}/server.crt'\nssl_key_file = '${base}/server.key'\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${base}'\n`);
  fs.writeFileSync(path.join(data, 'pg_hba.conf'), [
    'local all all scram-sha-256',
    'hostssl all tlsonly 127.0.0.1/32 scram-sha-256',
    'host all postgres 127.0.0.1/32 scram-sha-256',
    '',
  ].join('\n'));
  const port = await freePort();
  const start = asPg(path.join(bin, 'pg_ctl'), ['-D', data, '-o', `-p ${port}`, '-l', path.join(base, 'log'), '-w', 'start']);
  if (start.status !== 0) return `pg_ctl start failed: ${(start.stderr || start.stdout).trim().split('\n').pop()}`;
  const url = (user: string, pw: string, query = '') => `postgres://${user}:${encodeURIComponent(pw)}@127.0.0.1:${port}/postgres${query}`;
  await sql(url('postgres', password), `CREATE ROLE tlsonly LOGIN PASSWORD '${password}'`);
  return {
    url, password,
    stop() {
      asPg(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}
