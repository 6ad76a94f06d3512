/**
 * Offline builds tokenize in the chunk workers (packed term counts, transferred) instead of on the
 * main thread. A user must not see any difference: the same vectors, basis, keyword postings and
 * chunk table, byte for byte, and so the same search results — through real worker threads.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { configureChunkPool } from '../../../src/core/chunking/pool';
import { chunkFile } from '../../../src/core/chunking';
import { OfflineEmbedder } from '../../../src/core/embedding/offline';
import { countTerms } from '../../../src/core/embedding/offline/lsa';
import { openIndex, runIndex } from '../../../src/core/index';
import { packTerms, TermDictionary } from '../../../src/core/text/termPack';
import { tokenize } from '../../../src/core/text/tokenize';
import { makeCorpus } from '../chunking/poolSupport';
import { tempDir } from './helpers';

const corpus = makeCorpus(40);
fs.writeFileSync(path.join(corpus, 'notes-zh.md'), '# 索引设计\n\n向量索引和关键词索引一起工作。数据库连接池的超时设置在 config.ts 里。\n\n## 检索\n\n混合检索先召回再排序。\n');
fs.writeFileSync(path.join(corpus, 'net.h'), '#include <stdint.h>\n\nstruct packet_header {\n  uint16_t length;\n  uint8_t flags;\n};\n\nint send_packet(int fd, const struct packet_header *h);\n');
after(() => fs.rmSync(corpus, { recursive: true, force: true }));
afterEach(() => void configureChunkPool({}));

/** The embedder as before this change: it drops the packed terms, so the main thread tokenizes. */
class MainThreadTokenizing extends OfflineEmbedder {
  override acceptPacked(): boolean {
    return false;
  }
}

/** Counts the files whose terms arrived packed from a worker. */
class Counting extends OfflineEmbedder {
  packedFiles = 0;
  override acceptPacked(hashes: readonly string[], packed: Parameters<OfflineEmbedder['acceptPacked']>[1]): boolean {
    this.packedFiles++;
    return super.acceptPacked(hashes, packed);
  }
}

async function build(embedder: OfflineEmbedder, workers: number, tokenizeInWorkers?: boolean): Promise<string> {
  configureChunkPool({ size: workers, minBytes: 0, tokenizeInWorkers });
  const indexDir = tempDir('sw-terms-');
  const report = await runIndex({ root: corpus, indexDir, embedder });
  assert.equal(report.incomplete, false);
  return indexDir;
}

function dataFiles(indexDir: string): Map<string, Buffer> {
  const [space] = fs.readdirSync(indexDir).filter((d) => fs.statSync(path.join(indexDir, d)).isDirectory());
  const dir = path.join(indexDir, space);
  const out = new Map<string, Buffer>();
  for (const name of fs.readdirSync(dir).sort()) if (/^(vectors|chunks|keyword|model|prefix)-/.test(name)) out.set(name, fs.readFileSync(path.join(dir, name)));
  return out;
}

describe('tokenization in the chunk workers', () => {
  it('packed counts are exactly countTerms(tokenize(embedText)), and the keyword split is the text without its header', async () => {
    const text = fs.readFileSync(path.join(corpus, 'notes-zh.md'), 'utf8') + fs.readFileSync(path.join(corpus, 'net.h'), 'utf8');
    for (const rel of ['notes-zh.md', 'net.h', 'src/a.ts']) {
      const chunks = await chunkFile(rel, text);
      const dict = new TermDictionary();
      const packed = packTerms(chunks);
      const got = dict.accept({ dict: packed.dict, data: Int32Array.from(packed.data) }, chunks.length);
      assert.ok(got, rel);
      chunks.forEach((c, i) => {
        assert.deepEqual([...dict.counts(got[i])], [...countTerms(tokenize(c.embedText))], `${rel} #${i}: same terms, same order`);
        const kw = dict.textTerms(got[i]);
        assert.ok(kw, 'the header splits off');
        assert.equal(kw.length, tokenize(c.text).length);
        assert.deepEqual(new Map(kw.terms.map((t, k) => [t, kw.counts[k]])), countTerms(tokenize(c.text)));
      });
      assert.equal(dict.accept({ dict: packed.dict, data: packed.data.subarray(1) }, chunks.length), undefined, 'a malformed pack is refused');
    }
  });

  it('tokenized by two worker threads, or packed on the main thread: the same index, byte for byte, as tokenizing each text', { timeout: 240_000 }, async () => {
    const before = await build(new MainThreadTokenizing(), 0);
    const counting = new Counting();
    const now = await build(counting, 2, true);
    assert.ok(counting.packedFiles > 40, `the workers sent packed terms (${counting.packedFiles} files)`);
    const packedHere = await build(new OfflineEmbedder(), 2, false);
    const a = dataFiles(before);
    for (const dir of [now, packedHere]) {
      const b = dataFiles(dir);
      assert.deepEqual([...b.keys()], [...a.keys()]);
      for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} is identical`);
    }

    const open = (dir: string) => {
      const r = openIndex({ indexDir: dir, embedder: new OfflineEmbedder() });
      assert.equal(r.status, 'ok');
      return r.index;
    };
    const x = open(before), y = open(now);
    for (const q of ['packet header', 'mailbox retry', '索引', 'parse chunk token']) {
      const hx = x.keywordIndex().search(q, 10).map((h) => [x.chunks[h.id].path, x.chunks[h.id].startLine, h.score]);
      const hy = y.keywordIndex().search(q, 10).map((h) => [y.chunks[h.id].path, y.chunks[h.id].startLine, h.score]);
      assert.ok(hx.length > 0, q);
      assert.deepEqual(hy, hx, q);
    }
  });
});
