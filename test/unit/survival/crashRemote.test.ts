/**
 * Suite 1 — crash consistency, DashScope variant: the CLI indexes through the fake DashScope
 * server (own process, 120 ms latency so kills land mid-embedding) and is SIGKILLed at seeded
 * random moments; every stored vector is checked against the server's vector of the text it
 * received, and the final results equal a clean run's exactly. 4 kills (`npm run test:soak`: 15; SW_HEAVY=1: 50).
 */
import { after, before, test } from 'node:test';
import { crashLoop } from './supportCrash';
import { FakeProcess, scale } from './support';

let fake: FakeProcess;
before(async () => {
  fake = await FakeProcess.start({ latencyMs: 120 });
});
after(async () => {
  await fake?.stop();
});

test('dashscope: the indexer survives SIGKILL mid-embedding', { timeout: 20 * 60_000 }, async (t) => {
  const stats = await crashLoop(t, { provider: 'dashscope', kills: scale(4, 15, 50), files: scale(50, 90, 200), seed: 2202, fake });
  const b = stats.billing!;
  t.diagnostic(`dashscope: during the kill loop the server embedded ${b.texts} distinct texts, ${b.billedTwiceOrMore} of them more than once ` +
    `(requests in flight at a kill, whose replies never reached the journal, and runs started with --rebuild); ${stats.kills} kills`);
});
