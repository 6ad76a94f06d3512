/**
 * Suite 6 — the webview boundary. `validateFromWebview` (src/protocol/validate.ts) and
 * `resolveInsideRoots` (src/protocol/paths.ts) fuzzed with thousands of random and forged
 * messages: wrong types, huge strings, deep and cyclic garbage, prototype-pollution keys, paths
 * with `..`, absolute paths outside the roots, `file:` / `command:` / `vscode:` URIs, Windows and
 * UNC paths, NUL bytes — and symlinks inside real temporary workspace folders that point outside.
 * Nothing may throw; nothing accepted may carry an unknown field or name a location outside the
 * workspace roots, either as a string or once the file system resolves it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveInsideRoots } from '../../../src/protocol/paths';
import { LIMITS, validateFromWebview } from '../../../src/protocol/validate';
import { HEAVY, pick, rng, tempDir } from './support';

const MESSAGES = HEAVY ? 200_000 : 20_000;
const PATHS = HEAVY ? 200_000 : 20_000;

const SHAPES: Record<string, Record<string, unknown>> = {
  ready: { type: 'ready', version: 1 },
  search: { type: 'search', id: 1, query: 'q', filter: { kind: 'all', glob: '', language: '' } },
  cancel: { type: 'cancel', id: 1 },
  open: { type: 'open', ref: { folder: 'f', path: 'a.ts', startLine: 1, endLine: 2 }, side: false },
  applyTags: { type: 'applyTags', id: 1, target: { folder: 'f', path: 'a.md' }, labels: ['x'] },
  pinRelated: { type: 'pinRelated', ref: { folder: 'f', path: 'a.ts' }, pinned: true },
  hideRelated: { type: 'hideRelated', ref: { folder: 'f', path: 'a.ts' } },
  runCommand: { type: 'runCommand', command: 'indexWorkspace' },
};
const ALLOWED_KEYS: Record<string, string[]> = {
  ready: ['type', 'version'], search: ['type', 'id', 'query', 'filter'], cancel: ['type', 'id'], open: ['type', 'ref', 'side'],
  applyTags: ['type', 'id', 'target', 'labels'], pinRelated: ['type', 'ref', 'pinned'], hideRelated: ['type', 'ref'], runCommand: ['type', 'command'],
};
const REF_KEYS = ['folder', 'path', 'startLine', 'endLine'];
const FILTER_KEYS = ['kind', 'glob', 'language'];

/** Path pieces an attacker would try, joined at random. */
const PIECES = [
  '..', '.', '', 'a', 'src', 'notes', 'b c', '~', '%2e%2e', '..%2f', '．．', '…', '...', 'C:', 'c:', '\\', '/', '//', '\\\\server\\share',
  'file:', 'file:///etc/passwd', 'command:workbench.action.terminal.new', 'vscode://file/etc/passwd', 'vscode-remote://x', 'javascript:alert(1)',
  '\u0000', '\n', '\u202e', 'link-out', 'link-file', 'link-etc', 'nested/up', 'link-in', 'CON', 'x'.repeat(300), '/etc', '/etc/passwd',
];

function randomString(r: () => number): string {
  const n = Math.floor(r() * r() * 40);
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = r();
    s += c < 0.6 ? 'abcxyz./\\:'[Math.floor(r() * 10)] : c < 0.8 ? String.fromCharCode(Math.floor(r() * 0x80)) : c < 0.95 ? String.fromCharCode(0x80 + Math.floor(r() * 0xff00)) : '\ud800';
  }
  return s;
}

function nest(levels: number): unknown {
  let deep: unknown = { type: 'search' };
  for (let i = 0; i < levels; i++) deep = { nested: deep, ref: { folder: 'f', path: 'x' } };
  return deep;
}
const DEEP = nest(1000);
const HUGE = 'x'.repeat(1_000_000);

function garbage(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * 16);
  switch (k) {
    case 0: return undefined;
    case 1: return null;
    case 2: return pick(r, [0, -1, 1.5, NaN, Infinity, -Infinity, -0, 2 ** 31, 2 ** 53, Number.MAX_VALUE, 1e308 * 10]);
    case 3: return pick(r, [true, false]);
    case 4: return randomString(r);
    case 5: return r() < 0.1 ? HUGE : 'x'.repeat(pick(r, [1001, 4097, 65_536]));
    case 6: return BigInt(Math.floor(r() * 1e6));
    case 7: return new Date(r() * 1e13);
    case 8: return new Map([[randomString(r), garbage(r, depth + 1)]]);
    case 9: return new Uint8Array(Math.floor(r() * 16));
    case 10: return /x/g;
    case 11: {
      if (depth > 4) return {};
      const a: unknown[] = Array.from({ length: Math.floor(r() * 5) }, () => garbage(r, depth + 1));
      if (r() < 0.1) a.push(a); // cyclic, as structured clone allows
      return a;
    }
    case 12: return JSON.parse('{"__proto__": {"polluted": true, "type": "open"}, "constructor": {"prototype": {"polluted": true}}}');
    case 13:
      return r() < 0.1 ? DEEP : nest(50);
    default: {
      if (depth > 4) return {};
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(r() * 5); i++) o[pick(r, ['type', 'id', 'ref', 'query', 'filter', 'path', 'folder', '__proto__', 'constructor', 'prototype', randomString(r)])] = garbage(r, depth + 1);
      if (r() < 0.1) o.self = o;
      return o;
    }
  }
}

function forgedPath(r: () => number, roots: string[]): string {
  const n = 1 + Math.floor(r() * 6);
  const parts = Array.from({ length: n }, () => pick(r, PIECES));
  const sep = r() < 0.8 ? '/' : '\\';
  let p = parts.join(sep);
  const lead = r();
  if (lead < 0.15) p = pick(r, roots) + '/' + p;
  else if (lead < 0.2) p = pick(r, roots) + p; // prefix look-alike: /root-evil
  else if (lead < 0.25) p = '/' + p;
  return p;
}

/** A message built from a valid shape and then damaged: a field replaced, removed or added. */
function mutated(r: () => number, roots: string[]): unknown {
  const type = pick(r, Object.keys(SHAPES));
  const m = structuredClone(SHAPES[type]) as Record<string, unknown>;
  const ref = (m.ref ?? m.target) as Record<string, unknown> | undefined;
  if (ref) {
    ref.path = forgedPath(r, roots);
    ref.folder = r() < 0.7 ? roots[0] : garbage(r);
  }
  const edits = Math.floor(r() * 3);
  for (let i = 0; i < edits; i++) {
    const target = ref && r() < 0.4 ? ref : (m.filter as Record<string, unknown>) && r() < 0.3 ? (m.filter as Record<string, unknown>) : m;
    const keys = Object.keys(target);
    const op = r();
    if (op < 0.4 && keys.length) target[pick(r, keys)] = garbage(r);
    else if (op < 0.6 && keys.length) delete target[pick(r, keys)];
    else target[pick(r, ['__proto__', 'constructor', 'extra', 'polluted', 'toString'])] = garbage(r);
  }
  if (r() < 0.05) {
    try {
      return JSON.parse(JSON.stringify(m).replace('{', '{"__proto__":{"polluted":1},'));
    } catch {
      return m; // cyclic or BigInt garbage: not JSON-able
    }
  }
  return m;
}

/** Values postMessage can carry whose conversion to a string throws. */
const POSTABLE_TRAPS: unknown[] = [
  { type: { toString: 1, valueOf: 1 } },
  { type: { toString: 'x' } },
  { type: Object.create(null) },
  { type: [{ toString: 1, valueOf: 1 }] },
];

function describe(msg: unknown): string {
  try {
    return JSON.stringify(msg, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))?.slice(0, 80) ?? String(msg);
  } catch {
    return Object.prototype.toString.call(msg);
  }
}

/** realpath of the longest existing prefix, plus the rest: where the OS would really go. */
function physical(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  let real: string;
  try {
    real = fs.realpathSync(existing);
  } catch {
    real = existing; // a dangling or looping link: treat the link itself as the location
  }
  return path.join(real, ...rest);
}

function workspace(): { roots: string[]; realRoots: string[]; outside: string } {
  const base = tempDir('sw-webview-');
  const outside = path.join(tempDir('sw-webview-outside-'), 'private');
  fs.mkdirSync(outside, { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside the workspace\n');
  const a = path.join(base, 'ws-a');
  const b = path.join(base, 'ws-b');
  for (const d of [a, b]) fs.mkdirSync(path.join(d, 'src'), { recursive: true });
  fs.mkdirSync(path.join(a, 'nested'), { recursive: true });
  fs.writeFileSync(path.join(a, 'src', 'a.ts'), 'export const a = 1;\n');
  fs.symlinkSync(outside, path.join(a, 'link-out'));
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(a, 'link-file'));
  fs.symlinkSync('/etc', path.join(a, 'link-etc'));
  fs.symlinkSync('../..', path.join(a, 'nested', 'up'));
  fs.symlinkSync(path.join(a, 'src'), path.join(a, 'link-in'));
  fs.symlinkSync(path.join(base, 'ws-a-evil'), path.join(b, 'dangling'));
  return { roots: [a, b], realRoots: [a, b].map((d) => fs.realpathSync(d)), outside };
}

test(`webview messages: ${MESSAGES} random and forged messages — no throw, no unknown field, no pollution`, (t) => {
  const r = rng(6006);
  const { roots } = workspace();
  const before = Object.getOwnPropertyNames(Object.prototype).sort().join();
  let accepted = 0;
  let refused = 0;
  let uncloneable = 0;
  const problems: string[] = [];
  const byType: Record<string, number> = {};
  for (let i = 0; i < MESSAGES; i++) {
    const raw = i % 500 === 0 ? pick(r, POSTABLE_TRAPS) : r() < 0.5 ? garbage(r) : mutated(r, roots);
    // What postMessage delivers: a structured clone (prototypes reset, getters gone, cycles kept).
    let msg: unknown;
    try {
      msg = structuredClone(raw);
    } catch {
      uncloneable++;
      continue;
    }
    let v: ReturnType<typeof validateFromWebview>;
    try {
      v = validateFromWebview(msg);
    } catch (e) {
      problems.push(`threw "${(e as Error).message}" on ${describe(msg)}`);
      continue;
    }
    if (!v.ok) {
      refused++;
      if (typeof v.error !== 'string' || v.error.length > 300) problems.push(`#${i}: odd error ${String(v.error).slice(0, 80)}`);
      continue;
    }
    accepted++;
    const m = v.value as unknown as Record<string, unknown>;
    byType[m.type as string] = (byType[m.type as string] ?? 0) + 1;
    if (m === msg) problems.push(`#${i}: the message itself was returned, not a rebuilt copy`);
    if (Object.getPrototypeOf(m) !== Object.prototype) problems.push(`#${i}: accepted value has a foreign prototype`);
    const extra = Object.keys(m).filter((k) => !ALLOWED_KEYS[m.type as string]?.includes(k));
    if (extra.length) problems.push(`#${i}: accepted ${m.type} with unknown fields ${extra}`);
    const ref = (m.ref ?? m.target) as Record<string, unknown> | undefined;
    if (ref && Object.keys(ref).some((k) => !REF_KEYS.includes(k))) problems.push(`#${i}: ref with unknown fields`);
    if (m.filter && Object.keys(m.filter as object).some((k) => !FILTER_KEYS.includes(k))) problems.push(`#${i}: filter with unknown fields`);
    for (const s of [m.query, ref?.path, ref?.folder, ...(Array.isArray(m.labels) ? m.labels : [])]) {
      if (s !== undefined && (typeof s !== 'string' || s.length > LIMITS.path || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s))) problems.push(`#${i}: accepted a bad string field`);
    }
  }
  const after = Object.getOwnPropertyNames(Object.prototype).sort().join();
  if (after !== before || ({} as Record<string, unknown>).polluted !== undefined) problems.push('Object.prototype was polluted');
  t.diagnostic(`messages ${MESSAGES} (structured-cloned like postMessage; ${uncloneable} not cloneable): accepted ${accepted} (${JSON.stringify(byType)}), refused ${refused}, problems ${problems.length}`);
  assert.deepEqual([...new Set(problems)].slice(0, 10), []);
});

test(`webview paths: ${PATHS} forged paths against real workspace folders (symlinks included) — nothing outside is accepted`, (t) => {
  const r = rng(6007);
  const { roots, realRoots } = workspace();
  let accepted = 0;
  let refused = 0;
  const lexical: string[] = [];
  const viaLinks = new Set<string>();
  const linkExamples = new Map<string, string>();
  const threw: string[] = [];
  const check = (candidate: unknown, base: string | undefined) => {
    let out: string | undefined;
    try {
      // paths.ts is pure string logic; the extension lends it the file system (`realpath`).
      out = resolveInsideRoots(candidate, roots, base, { realpath: fs.realpathSync.native });
    } catch (e) {
      threw.push(`${JSON.stringify(candidate)?.slice(0, 60)}: ${(e as Error).message}`);
      return;
    }
    if (out === undefined) {
      refused++;
      return;
    }
    accepted++;
    if (!roots.some((root) => out!.startsWith(root + '/') && out!.length > root.length + 1)) lexical.push(`${JSON.stringify(candidate)} → ${out}`);
    const real = physical(out);
    if (!realRoots.some((root) => real.startsWith(root + '/'))) {
      viaLinks.add(out);
      const key = out.slice(roots.find((root) => out!.startsWith(root))!.length + 1).split('/').slice(0, 2).join('/');
      linkExamples.set(key.startsWith('nested') ? 'nested/up' : key.split('/')[0], `${String(candidate).slice(0, 60)} → ${out.slice(0, 90)} → really ${real.slice(0, 90)}`);
    }
  };
  for (let i = 0; i < PATHS; i++) {
    const base = pick(r, [roots[0], roots[1], roots[0] + '/', undefined, '/tmp', roots[0] + '-evil']);
    check(r() < 0.85 ? forgedPath(r, roots) : garbage(r), base);
  }
  // Windows workspace roots (pure string rules): drive letters, backslashes, case, UNC.
  const winRoots = ['C:\\Users\\me\\ws', 'd:/proj/'];
  const winNorm = ['c:/users/me/ws/', 'd:/proj/'];
  let winAccepted = 0;
  for (let i = 0; i < PATHS / 4; i++) {
    const lead = pick(r, ['', 'C:\\Users\\me\\ws\\', 'c:/USERS/me/WS/', 'C:\\Users\\me\\ws-evil\\', 'D:\\', 'd:/proj', 'E:/proj/', '\\\\?\\C:\\', '//?/c:/', 'C:', 'c:..\\']);
    const candidate = lead + forgedPath(r, winRoots).replace(/\//g, r() < 0.5 ? '\\' : '/');
    let out: string | undefined;
    try {
      out = resolveInsideRoots(candidate, winRoots, pick(r, [...winRoots, undefined]));
    } catch (e) {
      threw.push(`${candidate.slice(0, 60)}: ${(e as Error).message}`);
      continue;
    }
    if (out === undefined) continue;
    winAccepted++;
    if (!winNorm.some((root) => out!.toLowerCase().startsWith(root) && out!.length > root.length)) lexical.push(`${JSON.stringify(candidate)} → ${out}`);
  }
  // The obvious ones, whatever the dice did.
  for (const p of ['link-out/secret.txt', 'link-file', 'link-etc/passwd', 'nested/up/ws-a-evil/x', `${roots[0]}/link-out/secret.txt`, 'link-in/a.ts', 'src/a.ts']) check(p, roots[0]);
  const legit = resolveInsideRoots('src/a.ts', roots, roots[0], { realpath: fs.realpathSync.native });
  const legitViaInnerLink = resolveInsideRoots('link-in/a.ts', roots, roots[0], { realpath: fs.realpathSync.native });
  t.diagnostic(`paths ${PATHS + 7} (+${PATHS / 4} against Windows roots, ${winAccepted} accepted): accepted ${accepted}, refused ${refused}; threw ${threw.length}; accepted outside the roots as strings ${lexical.length}, ` +
    `accepted but resolving outside through a symlink ${viaLinks.size}`);
  assert.deepEqual(threw.slice(0, 10), []);
  assert.deepEqual(lexical.slice(0, 10), []);
  assert.equal(legit, `${roots[0]}/src/a.ts`, 'an ordinary file inside is still accepted');
  assert.ok(legitViaInnerLink, 'a link to a place inside the workspace is still accepted');
  assert.deepEqual([...linkExamples.values()], [], 'paths accepted although the file system resolves them outside the workspace (symlinks)');
});
