// Group commit: writes queued together share a batch, each gets its own
// result in order, and a batch that fails is retried one by one so a bad
// write fails alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from '../../backend/store/group-commit';

describe('group commit', () => {
  it('writes queued in one turn share a batch, at most maxBatch each, results in order', async () => {
    const batches: number[][] = [];
    const g = new GroupCommit<number, string>(async (xs) => (batches.push(xs), xs.map((x) => `r${x}`)), async () => assert.fail('no single writes'), 100);
    const out = await Promise.all(Array.from({ length: 250 }, (_, i) => g.run(i)));
    assert.deepEqual(out, Array.from({ length: 250 }, (_, i) => `r${i}`));
    assert.deepEqual(batches.map((b) => b.length), [100, 100, 50]);
    assert.deepEqual(g.stats, { batches: 3, writes: 250 });
  });

  it('writes arriving while a batch commits go in the next one', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const g = new GroupCommit<number, number>(async (xs) => {
      batches.push(xs);
      if (batches.length === 1) await gate;
      return xs;
    }, async (x) => x);
    const first = g.run(0);
    await new Promise((r) => setImmediate(r));
    const later = [1, 2, 3].map((x) => g.run(x));
    release();
    assert.deepEqual(await Promise.all([first, ...later]), [0, 1, 2, 3]);
    assert.deepEqual(batches, [[0], [1, 2, 3]]);
  });

  it('a failed batch is retried write by write: only the bad one fails', async () => {
    const g = new GroupCommit<number, number>(
      async (xs) => {
        if (xs.includes(13)) throw new Error('constraint');
        return xs;
      },
      async (x) => {
        if (x === 13) throw new Error(`write ${x} violates a constraint`);
        return x;
      },
    );
    const out = await Promise.allSettled([11, 12, 13, 14].map((x) => g.run(x)));
    assert.deepEqual(out.map((o) => o.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((out[2] as PromiseRejectedResult).reason), /write 13/);
    assert.equal(await g.run(15), 15, 'the queue still runs after a failure');
  });
});
