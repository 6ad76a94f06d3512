import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classKeywords, labelFromKeywords } from '../../../src/core/analysis/topicNames';

describe('topic names', () => {
  it('skip generic words even when they are the most frequent ones (they arrive stemmed: "before" → "befor")', () => {
    const deploy = [
      'Before the release, open the dashboard. Before you deploy, open a ticket. Before rollback, open the runbook.',
      'Before each deploy open the canary report; before promoting, open the rollback plan and deploy to staging.',
    ];
    const garden = [
      'Before planting, open the compost bin and water the soil. Tomatoes need soil that drains.',
      'Open the greenhouse before noon; water the seedlings and mulch the soil.',
    ];
    const [a, b] = classKeywords([deploy, garden]);
    for (const generic of ['before', 'open']) {
      assert.ok(!a.includes(generic) && !b.includes(generic), `"${generic}" named a topic: ${a} / ${b}`);
    }
    assert.match(labelFromKeywords(a), /deploy|rollback/);
    assert.match(labelFromKeywords(b), /soil|water|compost/);
  });

  it('keep subject words that share a stem with nothing generic ("running" stays a name)', () => {
    const [a] = classKeywords([
      ['Running a marathon: long runs at an easy pace, running shoes, race day.', 'Marathon training: tempo running and pace.'],
      ['Sourdough bread needs a starter and flour.', 'Bake the loaf in a hot oven.'],
    ]);
    assert.ok(a.slice(0, 3).some((t) => /running|marathon|pace/.test(t)), `running topic named ${a}`);
  });
});
