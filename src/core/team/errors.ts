/**
 * What can go wrong with a team index, each as one message a user can act on. PostgreSQL and
 * network errors are classified here once, so the CLI and the extension say the same thing.
 * Messages name the host, never the password (URLs are shown redacted).
 */

export type TeamErrorKind =
  | 'config'       // a bad URL or option
  | 'unreachable'  // no connection at all
  | 'auth'         // wrong user or password
  | 'tls'          // the server requires TLS, or refuses it
  | 'extension'    // pgvector is missing or may not be created
  | 'schema'       // the store was created by a newer version
  | 'fingerprint'  // vectors of another model/dimensions/chunker
  | 'offline'      // the offline provider cannot share
  | 'lost'         // the connection dropped in the middle of work
  | 'missing'      // no snapshot of this repository yet
  | 'database';    // any other server error

export class TeamIndexError extends Error {
  constructor(
    readonly kind: TeamErrorKind,
    message: string,
    /** The PostgreSQL SQLSTATE or Node error code, when there was one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TeamIndexError';
  }
}

/** `postgres://user:***@host:port/db` — for messages and status output. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable team index URL>';
  }
}

/** `host:port` of a postgres URL (what the consent and every message name). */
export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the team index';
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08003', '08000']);

/**
 * Turns what `pg` threw into a TeamIndexError. `during` says what we were doing ("connecting",
 * "publishing", …) so a dropped connection reads as such.
 */
export function classifyPgError(e: unknown, host: string, during: string): TeamIndexError {
  if (e instanceof TeamIndexError) return e;
  const err = (e ?? {}) as PgLikeError;
  const code = err.code;
  const msg = String(err.message ?? e);
  if (code === '28P01' || /password authentication failed/i.test(msg)) {
    return new TeamIndexError('auth', `The team index at ${host} rejected the user name or password (${code ?? 'auth'}). Put the right password in the URL, in PGPASSWORD, or (VS Code) with "Set Team Index Password".`, code);
  }
  if (/no encryption|SSL off|requires? (SSL|TLS|encryption)/i.test(msg)) {
    return new TeamIndexError('tls', `The team index at ${host} accepts only TLS connections. Add ?sslmode=require (or verify-full with sslrootcert=…) to the URL.`, code);
  }
  if (/does not support SSL/i.test(msg)) {
    return new TeamIndexError('tls', `The team index at ${host} does not offer TLS, but the URL asks for it (sslmode). Remove sslmode=require, or enable ssl on the server.`, code);
  }
  if (/self[- ]signed certificate|unable to verify|certificate/i.test(msg) && !code?.match(/^\d/)) {
    return new TeamIndexError('tls', `The team index at ${host} presented a certificate this machine does not trust (${msg}). Pass its CA with sslrootcert=… in the URL.`, code);
  }
  if (code === '28000' || code === '3D000') {
    return new TeamIndexError('auth', `The team index at ${host} refused the connection: ${msg} (${code}).`, code);
  }
  if (code && NETWORK_CODES.has(code)) {
    return new TeamIndexError('unreachable', `Cannot reach the team index at ${host} (${code}). The local index is unaffected; check the URL and that the database is up.`, code);
  }
  if ((code && DROPPED_CODES.has(code)) || /Connection terminated|connection.*(closed|ended)|socket hang up|Client has encountered a connection error/i.test(msg)) {
    return new TeamIndexError('lost', `The connection to the team index at ${host} was lost while ${during} (${code ?? msg}).`, code);
  }
  if (/Too many connections/i.test(msg)) {
    return new TeamIndexError('unreachable', `The team index at ${host} accepts no more connections right now (${msg.trim()}). Try again when the other client is done.`, code);
  }
  return new TeamIndexError('database', `The team index at ${host} failed while ${during}: ${msg}${code ? ` (${code})` : ''}`, code);
}
