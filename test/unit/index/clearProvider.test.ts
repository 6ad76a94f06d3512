// Clear Index removes what its dialog names: with `onlyThisProvider` only the running provider's
// index goes (the offline index next to a DashScope one stays, and the other way round); without
// it (the CLI's `clear`) every space of the folder goes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openEngine } from '../../../src/core/engine';
import type { Engine } from '../../../src/core/engineTypes';
import { startFakeDashScope } from '../../fake-dashscope/server';

const FILES: Record<string, string> = {
  'notes/backup.md': '# pg_dump 笔记\n\n用 pg_dump 导出数据库，再用 pg_restore 恢复。\n',
  'src/add.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n',
};

test('Clear Index with onlyThisProvider keeps the other providers\' indexes', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-clear-ws-'));
  for (const [rel, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  const indexDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sw-clear-idx-')), 'index');
  const fake = await startFakeDashScope();
  try {
    const open = (provider: 'offline' | 'dashscope'): Promise<Engine> =>
      openEngine({ root, indexDir, provider, ...(provider === 'dashscope' ? { apiKey: 'sk-test-clear-1234', remote: { baseUrl: fake.url } } : {}) });
    for (const p of ['offline', 'dashscope'] as const) {
      const report = await (await open(p)).index();
      assert.equal(report.filesIndexed, 2, p);
    }
    const exists = async (p: 'offline' | 'dashscope') => (await (await open(p)).status()).exists;
    assert.deepEqual([await exists('offline'), await exists('dashscope')], [true, true]);

    await (await open('dashscope')).clear({ onlyThisProvider: true });
    assert.deepEqual([await exists('offline'), await exists('dashscope')], [true, false], 'clearing DashScope left the offline index');
    const hits = await (await open('offline')).search('pg_dump');
    assert.equal(hits[0]?.chunk.path, 'notes/backup.md', 'the offline index still answers');

    await (await open('dashscope')).index();
    await (await open('offline')).clear({ onlyThisProvider: true });
    assert.deepEqual([await exists('offline'), await exists('dashscope')], [false, true], 'clearing offline left the DashScope index');

    await (await open('offline')).index();
    await (await open('offline')).clear();
    assert.deepEqual([await exists('offline'), await exists('dashscope')], [false, false], 'a plain clear removes every space');
  } finally {
    await fake.close();
  }
});
