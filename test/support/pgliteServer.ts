/**
 * A real PostgreSQL (PGlite: PostgreSQL compiled to WASM) with the real pgvector extension, served
 * over the wire protocol on 127.0.0.1 by @electric-sql/pglite-socket: the `pg` client talks to it
 * exactly as to a managed database. Run as its own process so a test can kill it ("the database
 * disappears"). Prints `PORT <n>` once listening.
 *   node --import tsx test/support/pgliteServer.ts [--data DIR] [--max-connections N] [--no-vector]
 * PGlite executes one query at a time; with several connections the socket server queues queries
 * and keeps a connection's transaction exclusive until it ends (concurrent writers are serialized
 * at statement level, as a single-core PostgreSQL would).
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const withVector = !argv.includes('--no-vector');
  const db = await PGlite.create({ dataDir: opt('--data'), ...(withVector ? { extensions: { vector } } : {}) });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: Number(opt('--max-connections') ?? 1) });
  await server.start();
  process.stdout.write(`PORT ${server.getServerConn().split(':')[1]}\n`);
  const stop = async () => {
    await server.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

void main();
