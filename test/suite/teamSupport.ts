/**
 * Real databases for the extension-host team index suite, started from inside the extension host:
 *  - PGlite (PostgreSQL compiled to WASM) with the real pgvector, served over the wire protocol by
 *    test/support/pgliteServer.ts in a child process (so a test can kill it: "the database stops");
 *  - a password gate in front of it: PGlite trusts every client, so the gate performs PostgreSQL's
 *    own cleartext-password exchange (AuthenticationCleartextPassword → PasswordMessage, or
 *    ErrorResponse 28P01) and relays the session to PGlite once the password is right. It proves
 *    which password the extension sent (from SecretStorage, never from settings).
 *  - the bundled CLI (dist/cli.js), a teammate's clone at another path.
 * The extension host's own executable runs them: Node under code-server, Electron (as Node) under
 * @vscode/test-electron.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { startPglite as startUnitPglite, type PgliteServer } from '../unit/team/support';

/** out/test/suite/index.js → the repository. */
const repoRoot = path.resolve(__dirname, '../../..');
const nodeEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '', ...extra });

/**
 * The unit suites' PGlite server process (test/unit/team/support.ts; bundled here, its repository
 * path resolves the same from out/test/suite). Under test-electron the host's executable is
 * Electron: it runs the server as Node only with ELECTRON_RUN_AS_NODE in the environment it passes on.
 */
export function startPglite(maxConnections = 4): Promise<PgliteServer> {
  if (process.versions.electron) process.env.ELECTRON_RUN_AS_NODE = '1';
  return startUnitPglite({ maxConnections });
}

export interface PasswordGate {
  readonly port: number;
  /** A postgres URL to the gate, with `password` in it when given. */
  url(password?: string): string;
  /** Connections that reached the gate at all, sent the right password, or were refused. */
  readonly counts: { connections: number; accepted: number; refused: number; bytesRelayed: number };
  /** While frozen, nothing is relayed either way: a database that stops answering (no error, no close). */
  freeze(on: boolean): void;
  close(): Promise<void>;
}

function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

function startupUser(startup: Buffer): string {
  const parts = startup.subarray(8).toString('utf8').split('\0');
  const i = parts.indexOf('user');
  return i >= 0 ? parts[i + 1] ?? '' : '';
}

export async function startPasswordGate(upstreamPort: number, password: string): Promise<PasswordGate> {
  const counts = { connections: 0, accepted: 0, refused: 0, bytesRelayed: 0 };
  const sockets = new Set<net.Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    counts.connections++;
    sockets.add(client);
    let buf = Buffer.alloc(0);
    let stage: 'startup' | 'password' | 'relay' = 'startup';
    let startup = Buffer.alloc(0);
    client.on('error', () => client.destroy());
    client.on('data', (d: Buffer) => {
      if (stage === 'relay') return;
      buf = Buffer.concat([buf, d]);
      if (stage === 'startup') {
        if (buf.length < 8 || buf.length < buf.readInt32BE(0)) return;
        const len = buf.readInt32BE(0);
        const code = buf.readInt32BE(4);
        if (code === 80877103 || code === 80877104) { // SSLRequest / GSSENCRequest: not offered
          buf = buf.subarray(len);
          client.write('N');
          return;
        }
        startup = buf.subarray(0, len);
        buf = buf.subarray(len);
        client.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
        stage = 'password';
      }
      if (buf.length < 5 || buf.length < 1 + buf.readInt32BE(1)) return;
      const len = buf.readInt32BE(1);
      const given = buf.subarray(5, len).toString('utf8'); // NUL-terminated
      const rest = buf.subarray(1 + len);
      if (buf[0] !== 0x70 || given !== password) {
        counts.refused++;
        client.end(errorResponse('28P01', `password authentication failed for user "${startupUser(startup)}"`));
        return;
      }
      counts.accepted++;
      stage = 'relay';
      const up = net.connect(upstreamPort, '127.0.0.1');
      sockets.add(up);
      up.write(startup);
      if (rest.length) up.write(rest);
      client.on('data', (x: Buffer) => {
        if (frozen) return;
        counts.bytesRelayed += x.length;
        if (up.writable) up.write(x);
      });
      up.on('data', (x: Buffer) => !frozen && client.writable && client.write(x));
      const end = (): void => {
        client.destroy();
        up.destroy();
      };
      up.on('error', end).on('close', end);
      client.on('close', end);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, counts,
    freeze: (on) => void (frozen = on),
    url: (pw) => `postgres://postgres${pw ? `:${encodeURIComponent(pw)}` : ''}@127.0.0.1:${port}/postgres`,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node dist/cli.js …args` with the extension host's environment (the fake server's URL and key). */
export function runCli(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist/cli.js'), ...args], { cwd: repoRoot, env: nodeEnv({ LANG: 'C', ...extraEnv }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
