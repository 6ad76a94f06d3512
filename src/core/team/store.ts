/**
 * The connection to a team index (one per process: the PGlite server of the tests accepts one,
 * and a managed database's connection limit is shared by the whole team) and the vector-space
 * and vector reads every other team module builds on. Every failure leaves as a TeamIndexError.
 */
// Type-only: `pg` is loaded on first connect. Loading it probes `Response`, which loads Node's
// fetch stack and compiles its HTTP parser (wasm) in the background; every CLI run and extension
// start paid ~20 ms for the load and up to ~170 ms waiting on that compile, team index or not.
import type pg from 'pg';
import { CHUNKER_VERSION } from '../chunking';
import { TOKENIZER_VERSION } from '../text/tokenize';
import type { Embedder } from '../types';
import { TeamIndexError, classifyPgError, hostOf, redactUrl } from './errors';
import { hashArray, vectorFromBinary } from './binary';
import { ensureSchema, vectorTable, vectorTableDdl } from './schema';

/** A vector space of the store: one model fingerprint. */
export interface TeamSpace {
  readonly id: number;
  readonly key: string;
  readonly dims: number;
  readonly label: string;
}

export interface SpaceFacts {
  readonly key: string;
  readonly provider: string;
  readonly model: string;
  readonly dims: number;
  readonly label: string;
  readonly embedder: string;
}

/**
 * model, dimensions, text types and instruction (all in the embedder's fingerprint), chunker and
 * tokenizer version: what makes two clients' vectors and terms interchangeable.
 */
export function spaceFacts(embedder: Embedder): SpaceFacts {
  if (embedder.provider === 'offline') {
    throw new TeamIndexError('offline', 'The offline provider cannot use a team index: its vectors come from a basis fitted to each workspace, so they mean nothing in another clone. Use --provider dashscope or openai with --team-index.');
  }
  const model = embedder.fingerprint.split('/')[1] ?? embedder.label;
  return {
    key: `${embedder.fingerprint}|${CHUNKER_VERSION}|${TOKENIZER_VERSION}`,
    provider: embedder.provider, model, dims: embedder.dimensions, label: embedder.label, embedder: embedder.fingerprint,
  };
}

const FETCH_BATCH = 1000;

export class TeamStore {
  /** Vector tables whose column type was checked (once per connection). */
  private readonly checked = new Set<number>();
  /** Session settings already sent (`SET name = value` only when it changes). */
  private readonly settings = new Map<string, string>();
  /** Set when the connection dropped: every later call fails with it at once. */
  private broken: unknown;

  private constructor(
    private readonly client: pg.Client,
    readonly host: string,
    readonly url: string,
  ) {
    client.on('error', (e) => {
      this.broken = e;
    });
  }

  /** Connects and creates or migrates the schema. */
  static async open(url: string): Promise<TeamStore> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TeamIndexError('config', `The team index URL is not a URL: ${redactUrl(url)} (expected postgres://user:password@host:5432/database).`);
    }
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
      throw new TeamIndexError('config', `The team index URL must start with postgres:// (got ${parsed.protocol}//).`);
    }
    const host = hostOf(url);
    // A database that stops answering must not hang a CLI run: every statement gets 5 minutes at most.
    const { Client } = (await import('pg')).default;
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 15_000, query_timeout: 300_000, application_name: 'semantic-workspace' });
    const store = new TeamStore(client, host, redactUrl(url));
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw classifyPgError(e, host, 'connecting');
    }
    try {
      await ensureSchema(client, host);
    } catch (e) {
      await store.close();
      throw classifyPgError(e, host, 'preparing its schema');
    }
    return store;
  }

  /** A query whose failure is classified (`during` names what we were doing). */
  async q<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = [], during = 'querying', timeoutMs?: number): Promise<pg.QueryResult<R>> {
    if (this.broken) throw classifyPgError(this.broken, this.host, during);
    try {
      return await this.client.query<R>(timeoutMs ? { text: sql, values: params, query_timeout: timeoutMs } as pg.QueryConfig : { text: sql, values: params });
    } catch (e) {
      throw classifyPgError(this.broken ?? e, this.host, during);
    }
  }

  /** Runs `fn` in one transaction: all of it becomes visible at COMMIT, or none of it. */
  async transaction<T>(during: string, fn: () => Promise<T>): Promise<T> {
    await this.q('BEGIN', [], during);
    try {
      const out = await fn();
      await this.q('COMMIT', [], during);
      return out;
    } catch (e) {
      if (!this.broken) await this.client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** The space of this embedder; created when `create` (publishing), else undefined when absent. */
  async space(facts: SpaceFacts, create: boolean): Promise<TeamSpace | undefined> {
    const find = async () => (await this.q<{ id: number; dims: number }>(`SELECT id, dims FROM sw_fingerprints WHERE key = $1`, [facts.key])).rows[0];
    let row = await find();
    if (!row && create) {
      await this.transaction('creating a vector space', async () => {
        await this.q(`SELECT pg_advisory_xact_lock(727016002)`);
        await this.q(
          `INSERT INTO sw_fingerprints (key, provider, model, dims, label, embedder, chunker, tokenizer) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (key) DO NOTHING`,
          [facts.key, facts.provider, facts.model, facts.dims, facts.label, facts.embedder, CHUNKER_VERSION, TOKENIZER_VERSION],
        );
        const id = (await find())!.id;
        await this.q(vectorTableDdl(id, facts.dims), [], 'creating a vector table');
      });
      row = await find();
    }
    if (!row) return undefined;
    if (row.dims !== facts.dims) {
      throw new TeamIndexError('fingerprint', `The team index at ${this.host} holds ${row.dims}-d vectors for ${facts.label}, but this client embeds ${facts.dims}-d; nothing was mixed. Use the same --dimensions as the team.`);
    }
    await this.checkVectorTable(row.id, facts);
    return { id: row.id, key: facts.key, dims: row.dims, label: facts.label };
  }

  /** A vector table whose column is not vector(dims) would silently break sharing: refuse it. */
  private async checkVectorTable(id: number, facts: SpaceFacts): Promise<void> {
    if (this.checked.has(id)) return;
    const r = await this.q<{ t: string | null }>(
      `SELECT format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = 'embedding'`,
      [vectorTable(id)],
    );
    const t = r.rows[0]?.t;
    if (t && t !== `vector(${facts.dims})`) {
      throw new TeamIndexError('fingerprint', `The team index's vectors for ${facts.label} are stored as ${t}, not vector(${facts.dims}); the store was changed by hand. Nothing was read or written.`);
    }
    this.checked.add(id);
  }

  /** A session setting; false when the server does not know it (an older pgvector). */
  async set(name: string, value: string): Promise<boolean> {
    if (this.settings.get(name) === value) return true;
    try {
      await this.q(`SET ${name} = ${value}`);
      this.settings.set(name, value);
      return true;
    } catch (e) {
      if (e instanceof TeamIndexError && e.kind !== 'database') throw e;
      return false;
    }
  }

  private vectorTypeOid: number | undefined;

  /** pgvector's type OID in this database (an extension's types have no fixed OID): binary arrays name it. */
  async vectorOid(during = 'querying'): Promise<number> {
    this.vectorTypeOid ??= Number((await this.q<{ o: string }>(`SELECT 'vector'::regtype::oid AS o`, [], during)).rows[0].o);
    return this.vectorTypeOid;
  }

  /** Every vector the store has for these hashes (hex), bit-identical to what was published. */
  async vectorsFor(space: TeamSpace, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    const hex = hashes.filter(isHex);
    for (let i = 0; i < hex.length; i += FETCH_BATCH) {
      // vector_send: pgvector's binary form (exact floats, no float printing on the server).
      const r = await this.q<{ h: string; e: Buffer }>(
        `SELECT encode(hash, 'hex') AS h, vector_send(embedding) AS e FROM ${vectorTable(space.id)} WHERE hash = ANY($1::bytea[])`,
        [hashArray(hex.slice(i, i + FETCH_BATCH))], 'reading shared vectors',
      );
      for (const row of r.rows) {
        const v = vectorFromBinary(row.e);
        if (v.length === space.dims) out.set(row.h, v);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

export function isHex(h: string): boolean {
  return h.length % 2 === 0 && /^[0-9a-f]+$/.test(h);
}

/** pgvector's text form prints each float4 in its shortest round-trip form: parsing gives the same bits. */
export function parseVector(text: string): Float32Array {
  const body = text.slice(1, -1);
  if (!body) return new Float32Array(0);
  const parts = body.split(',');
  const v = new Float32Array(parts.length);
  for (let i = 0; i < parts.length; i++) v[i] = Number(parts[i]);
  return v;
}

/** JS prints a float32's double value in a form that reads back to the same float32. */
export function formatVector(v: Float32Array | readonly number[]): string {
  return `[${Array.prototype.join.call(v, ',')}]`;
}
