/**
 * Runtime validation of every message the webview sends. The webview is treated as untrusted
 * input (it renders text from the workspace), so the extension never acts on a message this file
 * has not accepted: shapes, string sizes, integer ranges and enum values are all checked, and
 * unknown fields are dropped by rebuilding the message from the checked parts.
 */
import {
  SIDEBAR_COMMANDS,
  type FileRef,
  type FromWebviewMessage,
  type KindFilter,
  type SearchFilterMessage,
  type SidebarCommand,
} from './messages';

export const LIMITS = {
  query: 1000,
  glob: 500,
  language: 64,
  path: 4096,
  folder: 2048,
  label: 200,
  labels: 50,
  maxLine: 10_000_000,
  maxColumn: 1_000_000_000,
  topics: 10_000,
} as const;

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

class Invalid extends Error {}

function fail(what: string): never {
  throw new Invalid(what);
}

function record(x: unknown, what: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(`${what}: not an object`);
  return x as Record<string, unknown>;
}

function str(x: unknown, max: number, what: string): string {
  if (typeof x !== 'string') fail(`${what}: not a string`);
  if (x.length > max) fail(`${what}: longer than ${max}`);
  // Control characters have no business in a query, path or label (NUL truncates paths).
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(x)) fail(`${what}: control character`);
  return x;
}

function int(x: unknown, min: number, max: number, what: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) fail(`${what}: not an integer in ${min}..${max}`);
  return x;
}

function bool(x: unknown, what: string): boolean {
  if (typeof x !== 'boolean') fail(`${what}: not a boolean`);
  return x;
}

function oneOf<T extends string>(x: unknown, values: readonly T[], what: string): T {
  if (typeof x !== 'string' || !(values as readonly string[]).includes(x)) fail(`${what}: not one of ${values.join(', ')}`);
  return x as T;
}

const requestId = (x: unknown): number => int(x, 0, 2 ** 31 - 1, 'id');

function filter(x: unknown): SearchFilterMessage {
  const o = record(x, 'filter');
  const language = str(o.language, LIMITS.language, 'filter.language');
  if (language && !/^[\w+#.-]+$/.test(language)) fail('filter.language: unexpected characters');
  return {
    kind: oneOf<KindFilter>(o.kind, ['all', 'code', 'doc'], 'filter.kind'),
    glob: str(o.glob, LIMITS.glob, 'filter.glob'),
    language,
  };
}

/** Checks the shape of a FileRef; whether the path stays inside the folder is `paths.ts`'s job. */
export function fileRef(x: unknown): FileRef {
  const o = record(x, 'ref');
  const folder = str(o.folder, LIMITS.folder, 'ref.folder');
  const path = str(o.path, LIMITS.path, 'ref.path');
  if (!folder || !path) fail('ref: empty folder or path');
  const startLine = o.startLine === undefined ? undefined : int(o.startLine, 1, LIMITS.maxLine, 'ref.startLine');
  const endLine = o.endLine === undefined ? undefined : int(o.endLine, 1, LIMITS.maxLine, 'ref.endLine');
  if (startLine !== undefined && endLine !== undefined && endLine < startLine) fail('ref: endLine before startLine');
  const startColumn = o.startColumn === undefined ? undefined : int(o.startColumn, 1, LIMITS.maxColumn, 'ref.startColumn');
  const endColumn = o.endColumn === undefined ? undefined : int(o.endColumn, 1, LIMITS.maxColumn, 'ref.endColumn');
  if ((startColumn === undefined) !== (endColumn === undefined) || (startColumn !== undefined && endColumn !== undefined && endColumn < startColumn)) fail('ref: bad column span');
  return {
    folder, path, ...(startLine !== undefined ? { startLine } : {}), ...(endLine !== undefined ? { endLine } : {}),
    ...(startColumn !== undefined ? { startColumn, endColumn } : {}),
  };
}

function labels(x: unknown): string[] {
  if (!Array.isArray(x)) fail('labels: not an array');
  if (x.length > LIMITS.labels) fail(`labels: more than ${LIMITS.labels}`);
  return x.map((l, i) => {
    const s = str(l, LIMITS.label, `labels[${i}]`);
    if (!s.trim()) fail(`labels[${i}]: empty`);
    return s;
  });
}

function parse(x: unknown): FromWebviewMessage {
  const o = record(x, 'message');
  switch (o.type) {
    case 'ready':
      return { type: 'ready', version: int(o.version, 0, 1000, 'version') };
    case 'search':
      return { type: 'search', id: requestId(o.id), query: str(o.query, LIMITS.query, 'query'), filter: filter(o.filter) };
    case 'cancel':
      return { type: 'cancel', id: requestId(o.id) };
    case 'open':
      return { type: 'open', ref: fileRef(o.ref), side: bool(o.side, 'side') };
    case 'applyTags':
      return { type: 'applyTags', id: requestId(o.id), target: fileRef(o.target), labels: labels(o.labels) };
    case 'pinRelated':
      return { type: 'pinRelated', ref: fileRef(o.ref), pinned: bool(o.pinned, 'pinned') };
    case 'hideRelated':
      return { type: 'hideRelated', ref: fileRef(o.ref) };
    case 'runCommand':
      return { type: 'runCommand', command: oneOf<SidebarCommand>(o.command, SIDEBAR_COMMANDS, 'command') };
    case 'addTopicTag':
      return {
        type: 'addTopicTag',
        topic: int(o.topic, 0, LIMITS.topics, 'topic'),
        ...(o.ref === undefined ? {} : { ref: fileRef(o.ref) }),
      };
    default:
      return fail(`unknown message type ${typeof o.type === "string" ? JSON.stringify(o.type.slice(0, 40)) : `(${typeof o.type})`}`);
  }
}

/** Accepts a message from the webview, rebuilt from its checked fields, or says why not. */
export function validateFromWebview(x: unknown): Validated<FromWebviewMessage> {
  try {
    return { ok: true, value: parse(x) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    throw e;
  }
}
