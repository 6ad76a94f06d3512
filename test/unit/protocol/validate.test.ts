import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SIDEBAR_COMMANDS, type FromWebviewMessage } from '../../../src/protocol/messages';
import { LIMITS, validateFromWebview } from '../../../src/protocol/validate';

const filter = { kind: 'all', glob: '', language: '' };
const ref = { folder: 'file:///ws', path: 'src/a.ts', startLine: 3, endLine: 9 };

function ok(x: unknown): FromWebviewMessage {
  const v = validateFromWebview(x);
  assert.ok(v.ok, v.ok ? '' : v.error);
  return v.value;
}

function bad(x: unknown, pattern?: RegExp): void {
  const v = validateFromWebview(x);
  assert.equal(v.ok, false, `accepted ${JSON.stringify(x)}`);
  if (pattern && !v.ok) assert.match(v.error, pattern);
}

describe('validateFromWebview', () => {
  it('accepts every well-formed message type', () => {
    ok({ type: 'ready', version: 1 });
    ok({ type: 'search', id: 1, query: 'retry logic', filter });
    ok({ type: 'search', id: 2, query: '重试逻辑', filter: { kind: 'code', glob: 'src/**', language: 'c++' } });
    ok({ type: 'cancel', id: 1 });
    ok({ type: 'open', ref, side: true });
    ok({ type: 'open', ref: { folder: 'f', path: 'a.md' }, side: false });
    ok({ type: 'applyTags', id: 3, target: ref, labels: ['bug', '文档'] });
    ok({ type: 'applyTags', id: 4, target: ref, labels: [] });
    ok({ type: 'pinRelated', ref, pinned: true });
    ok({ type: 'hideRelated', ref });
    for (const command of SIDEBAR_COMMANDS) ok({ type: 'runCommand', command });
  });

  it('rebuilds messages from checked fields only (unknown fields are dropped)', () => {
    const m = ok({ type: 'search', id: 1, query: 'q', filter: { ...filter, evil: 1 }, extra: 'x' });
    assert.deepEqual(m, { type: 'search', id: 1, query: 'q', filter });
    const o = ok({ type: 'open', ref: { ...ref, uri: 'command:x' }, side: false });
    assert.deepEqual(o, { type: 'open', ref, side: false });
  });

  it('rejects non-objects and unknown types', () => {
    for (const x of [null, undefined, 42, 'ready', [], { type: 'nope' }, { type: 'runCommand', command: 'workbench.action.terminal.new' }]) bad(x);
    bad({ type: 'x'.repeat(500) }, /unknown message type/);
  });

  it('checks request ids', () => {
    for (const id of [-1, 1.5, '1', 2 ** 31, NaN, undefined]) bad({ type: 'search', id, query: 'q', filter });
  });

  it('enforces string sizes and control characters', () => {
    bad({ type: 'search', id: 1, query: 'x'.repeat(LIMITS.query + 1), filter }, /longer/);
    ok({ type: 'search', id: 1, query: 'x'.repeat(LIMITS.query), filter });
    bad({ type: 'search', id: 1, query: 'a\u0000b', filter }, /control/);
    bad({ type: 'search', id: 1, query: 'q', filter: { ...filter, glob: 'g'.repeat(LIMITS.glob + 1) } });
    bad({ type: 'open', ref: { ...ref, path: 'p'.repeat(LIMITS.path + 1) }, side: false });
    bad({ type: 'applyTags', id: 1, target: ref, labels: ['l'.repeat(LIMITS.label + 1)] });
    bad({ type: 'applyTags', id: 1, target: ref, labels: Array.from({ length: LIMITS.labels + 1 }, (_, i) => `t${i}`) });
  });

  it('checks enum values', () => {
    bad({ type: 'search', id: 1, query: 'q', filter: { ...filter, kind: 'everything' } }, /filter.kind/);
    bad({ type: 'search', id: 1, query: 'q', filter: { ...filter, language: 'py thon' } }, /language/);
    bad({ type: 'search', id: 1, query: 'q', filter: { ...filter, language: '<script>' } });
  });

  it('checks refs: types, empties, line ranges', () => {
    bad({ type: 'open', ref: { ...ref, path: '' }, side: false });
    bad({ type: 'open', ref: { ...ref, folder: 7 }, side: false });
    bad({ type: 'open', ref: { ...ref, startLine: 0 }, side: false });
    bad({ type: 'open', ref: { ...ref, startLine: 9, endLine: 3 }, side: false }, /endLine/);
    bad({ type: 'open', ref, side: 'yes' });
    bad({ type: 'open', side: false });
    bad({ type: 'applyTags', id: 1, target: ref, labels: ['  '] }, /empty/);
    bad({ type: 'applyTags', id: 1, target: ref, labels: 'bug' });
  });
});
