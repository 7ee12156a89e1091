// The agent reads each command's target through its kind's contract
// (contracts/commands.ts): a target that does not read is a failure naming the
// field, not a value cast into shape and used.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecError, readTarget } from '../../agent/executors/executor';

describe('command targets in the agent', () => {
  it('reads a config target with its typed fields', () => {
    const t = readTarget('config', { revision: 3, baseRevision: 2, data: { portal_app: 'gitops' } });
    assert.equal(t.revision, 3);
    assert.deepEqual(t.data, { portal_app: 'gitops' });
  });
  it('refuses a config target without data, naming the field', () => {
    assert.throws(() => readTarget('config', { revision: 3, baseRevision: 2 }), (e: unknown) => e instanceof ExecError && /config target\.data/.test(e.message));
  });
  it('refuses a config target whose data values are not strings', () => {
    assert.throws(() => readTarget('config', { revision: 3, baseRevision: 2, data: { a: 1 } }), (e: unknown) => e instanceof ExecError && /config target\.data\.a/.test(e.message));
  });
  it('refuses a scale target with a negative count', () => {
    assert.throws(() => readTarget('scale', { replicas: -1 }), (e: unknown) => e instanceof ExecError && /scale target\.replicas/.test(e.message));
  });
});
