// The last-seen writer: heartbeats are remembered, not written; a flush writes
// every agent heard since the last one in one store call (the newest time of
// each), and a failed flush keeps them for the next one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LastSeenWriter } from '../../backend/gateway/last-seen';
import { createLogger } from '../../lib/logger';

const log = createLogger('test', 'silent');

function spyStore() {
  const calls: Map<string, string>[] = [];
  let fail = false;
  return {
    calls,
    failNext: () => void (fail = true),
    touchAgents: (seen: ReadonlyMap<string, string>) => {
      if (fail) {
        fail = false;
        return Promise.reject(new Error('database is locked'));
      }
      calls.push(new Map(seen));
      return Promise.resolve(seen.size);
    },
  };
}

describe('the last-seen writer', () => {
  it('writes nothing per heartbeat, then every agent at once with its newest time', async () => {
    const store = spyStore();
    const w = new LastSeenWriter(store, 15_000, log);
    for (let beat = 0; beat < 3; beat++) for (let a = 0; a < 10_000; a++) w.seen(`agent-${a}`, 1_000_000 + beat * 10_000 + a);
    w.seen('agent-0', 5); // older than what was heard: ignored
    assert.equal(store.calls.length, 0);
    await w.flush();
    assert.equal(store.calls.length, 1);
    assert.equal(store.calls[0].size, 10_000);
    assert.equal(store.calls[0].get('agent-0'), new Date(1_020_000).toISOString());
    assert.equal(store.calls[0].get('agent-9999'), new Date(1_029_999).toISOString());
    await w.flush(); // nobody heard since: no write at all
    assert.equal(store.calls.length, 1);
  });

  it('keeps what a failed flush could not write for the next one, and flushes at stop', async () => {
    const store = spyStore();
    const w = new LastSeenWriter(store, 15_000, log);
    w.seen('agent-1', 1000);
    store.failNext();
    await w.flush();
    assert.equal(store.calls.length, 0);
    w.seen('agent-2', 2000);
    await w.stop();
    assert.deepEqual([...store.calls[0]], [
      ['agent-1', new Date(1000).toISOString()],
      ['agent-2', new Date(2000).toISOString()],
    ]);
  });
});
