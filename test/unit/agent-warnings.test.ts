// Warnings about what agents send are throttled per commons and kind, and
// the next one says how many were left out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentWarnings } from '../../backend/gateway/agent-warnings';

function setup() {
  const lines: { fields: Record<string, unknown>; msg: string }[] = [];
  let t = 1_000_000;
  const w = new AgentWarnings({ warn: ((fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg })) as never }, 60_000, () => t);
  return { w, lines, advance: (ms: number) => (t += ms) };
}

describe('agent warnings', () => {
  it('one line per commons and kind per interval, then one carrying the count left out', () => {
    const { w, lines, advance } = setup();
    for (let i = 0; i < 1000; i++) w.warn('a', 'samples', { dropped: 1 }, 'dropped');
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0].fields, { commonsId: 'a', dropped: 1 });
    w.warn('b', 'samples', { dropped: 2 }, 'dropped');
    w.warn('a', 'services', { kept: 200 }, 'services dropped');
    assert.equal(lines.length, 3, 'another commons, another kind: their own line');
    advance(60_000);
    w.warn('a', 'samples', { dropped: 3 }, 'dropped');
    assert.equal(lines.length, 4);
    assert.deepEqual(lines[3].fields, { commonsId: 'a', dropped: 3, suppressed: 999, suppressedForMs: 60_000 });
  });

  it('forgets commons that went quiet, so it holds only agents warned about lately', () => {
    const { w, advance } = setup();
    for (let i = 0; i < 5000; i++) w.warn(`c${i}`, 'samples', {}, 'dropped');
    assert.equal(w.size, 5000);
    advance(120_000);
    w.warn('new', 'samples', {}, 'dropped');
    assert.equal(w.size, 1);
  });
});
