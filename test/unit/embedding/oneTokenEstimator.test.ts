/**
 * One token estimator: what the chunker budgets, what the 8,192 guard cuts at, and what the dry
 * run bills are the same count. Mixed scripts (Cyrillic, accents, emoji, Chinese) are where two
 * estimators used to disagree: the dry-run cost was not the sum of the chunks' tokens, and a text
 * the guard called "within 7,500" could be over it by the chunker's count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkFile, estimateTokens } from '../../../src/core/chunking';
import { MAX_TOKENS_CAP } from '../../../src/core/chunking/chunker';
import { estimateEmbeddingRun, estimateTotalTokens, TRUNCATE_AT_TOKENS, truncateToTokens } from '../../../src/core/embedding';

const MIXED = [
  '# Заметки о кэшировании — café, naïve, 🚀',
  '',
  'Стратегия кэширования: записывать сквозь кэш, сбрасывать по TTL. 缓存策略：写穿透，按过期时间淘汰。',
  '',
  ...Array.from({ length: 120 }, (_, i) => `Пункт ${i}: обновление индекса ✅ 更新索引 ${'é'.repeat(i % 7)} 🙂`),
].join('\n');

test('chunk budgets, the dry-run cost and the truncation guard count tokens the same way', async () => {
  const chunks = await chunkFile('notes/mixed.md', MIXED, { maxTokens: 300 });
  assert.ok(chunks.length >= 3, `mixed note split into ${chunks.length} chunks`);
  for (const c of chunks) {
    assert.equal(c.tokens, estimateTokens(c.embedText), 'a chunk records the estimate of what is embedded');
    assert.ok(c.tokens <= 300, 'within the budget by that same estimate');
    assert.deepEqual(truncateToTokens(c.embedText, 300), { text: c.embedText, truncated: false }, 'the guard agrees it fits');
  }
  const run = estimateEmbeddingRun(chunks.map((c) => c.embedText));
  assert.equal(run.tokens, chunks.reduce((s, c) => s + c.tokens, 0), 'the dry run bills exactly the chunks\' tokens');
  assert.equal(estimateTotalTokens(chunks.map((c) => c.embedText)), run.tokens);

  // The guard cuts by the same count: what it keeps is within the limit for the chunker too.
  const long = MIXED.repeat(40);
  const cut = truncateToTokens(long, TRUNCATE_AT_TOKENS);
  assert.ok(cut.truncated);
  assert.ok(estimateTokens(cut.text) <= TRUNCATE_AT_TOKENS, `kept ${estimateTokens(cut.text)} tokens`);
  assert.ok(estimateTokens(cut.text) > TRUNCATE_AT_TOKENS * 0.85, 'and keeps nearly all it may');
  assert.equal(MAX_TOKENS_CAP, TRUNCATE_AT_TOKENS, 'no chunk is larger than where the guard cuts');
});
