// The store's state columns: every move goes through the transition tables
// (contracts/states.ts), and a row whose state is none the code knows is a
// clear error when read, not a string passed on as a known state.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IllegalTransition } from '../../contracts/states';
import { StoreRowError } from '../../backend/store/rows';
import type { SqlStore } from '../../backend/store/sql-store';
import type { NewAudit } from '../../backend/store/store';
import { raw, storeEngines } from '../support/store-engines';

const at = '2026-07-01T00:00:00.000Z';
const audit: NewAudit = { at, actor: 'test', actor_kind: 'token', role: 'admin', action: 'test', commons_id: 'c1', service: null, detail_json: '{}', outcome: 'accepted', command_id: null };

for (const engine of await storeEngines('states'))
describe(`state moves in the store (${engine.name})`, { skip: engine.skip }, () => {
  let store: SqlStore;
  let n = 0;
  before(async () => {
    store = await engine.open();
  });
  after(() => engine.cleanup());

  const command = async () => {
    const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    await store.createCommand(
      { id, kind: 'scale', commons_id: 'c1', service: 'fence', target_json: '{"replicas":2}', state: 'queued', message: 'queued', percent: 0, actor: 'test', created_at: at, updated_at: at, deadline: at, attempts: 0, result_json: null },
      { ...audit, command_id: id },
    );
    return id;
  };

  it('moves a command along the table, with an event per move, and leaves a final one alone', async () => {
    const id = await command();
    assert.equal((await store.moveCommand(id, 'dispatched', { updated_at: at }, { at, message: 'sent', percent: 0 }))?.state, 'dispatched');
    assert.equal((await store.moveCommand(id, 'running', { percent: 10 }, { at, message: 'rolling', percent: 10 }))?.state, 'running');
    assert.equal((await store.moveCommand(id, 'running', { percent: 50 }, { at, message: 'rolling', percent: 50 }))?.percent, 50);
    assert.equal((await store.moveCommand(id, 'succeeded', {}, { at, message: 'done', percent: 100 }))?.state, 'succeeded');
    // A repeat, or an expiry racing the result: already final, so nothing changes and nothing is recorded.
    assert.equal(await store.moveCommand(id, 'expired', {}, { at, message: 'late', percent: 0 }), undefined);
    assert.deepEqual((await store.listCommandEvents(id)).map((e) => e.state), ['queued', 'dispatched', 'running', 'running', 'succeeded']);
  });

  it('moves only from the states a caller names', async () => {
    const id = await command();
    await store.moveCommand(id, 'running', {}, undefined);
    assert.equal(await store.moveCommand(id, 'dispatched', {}, undefined, ['queued']), undefined);
    assert.equal((await store.getCommand(id))?.state, 'running');
  });

  it('refuses a move the table does not allow, writing nothing', async () => {
    const id = await command();
    await store.moveCommand(id, 'running', {}, undefined);
    await assert.rejects(store.moveCommand(id, 'dispatched', { message: 'back' }, { at, message: 'back', percent: 0 }), IllegalTransition);
    await assert.rejects(store.moveCommand(id, 'queued', {}, undefined), IllegalTransition);
    assert.equal((await store.getCommand(id))?.state, 'running');
    assert.deepEqual((await store.listCommandEvents(id)).map((e) => e.state), ['queued']);
  });

  it('moves a deployment phase and its GitOps state along their tables', async () => {
    const made = await store.createDeployment({
      commons: { id: 'c1', name: 'c1', hostname: 'c1.example.org', environment: 'c1', namespace: '', agent_id: null, release: '', config_revision: 0, config_json: '{}', created_at: at, updated_at: at },
      revision: { commons_id: 'c1', values_json: '{}', release: '2026.07', template: 't', profile: 'p', overrides_json: '{}', kind: 'deploy', rollback_of: null, base_revision: null, base_source: 'none', diff_json: '[]', diff_text: '', author: 'test', reason: 'r', created_at: at, deployment_id: 'd1' },
      deployment: {
        id: 'd1', commons_id: 'c1', kind: 'deploy', phase: 'committing', message: '', command_id: 'x', gitops_state: 'pending', gitops_path: null, gitops_commit: null, applied_by: 'agent',
        restart_after_json: '[]', plan_services_json: '[]', actor: 'test', actor_kind: 'token', role: 'admin', author_name: 't', author_email: 't@x', reason: 'r', created_at: at, updated_at: at,
      },
      audit,
      expectBase: null,
    });
    assert.equal(made.deployment.phase, 'committing');
    await assert.rejects(store.moveDeployment('d1', 'committing', { gitops: 'disabled' }, {}), IllegalTransition);
    assert.equal((await store.moveDeployment('d1', 'committing', { gitops: 'pushed' }, { gitops_commit: 'abc' }))?.gitops_state, 'pushed');
    await assert.rejects(store.moveDeployment('d1', 'committing', { gitops: 'failed' }, {}), IllegalTransition);
    assert.equal((await store.moveDeployment('d1', 'committing', { phase: 'commanded' }, {}))?.phase, 'commanded');
    assert.equal(await store.moveDeployment('d1', 'committing', { phase: 'failed' }, {}), undefined);
    const now = await store.getDeployment('d1');
    assert.deepEqual([now?.phase, now?.gitops_state, now?.gitops_commit], ['commanded', 'pushed', 'abc']);
  });

  it('moves a config revision from pending once', async () => {
    const id = `00000000-0000-4000-9000-000000000001`;
    await store.createCommand(
      { id, kind: 'config', commons_id: 'c2', service: null, target_json: '{"revision":1,"baseRevision":0,"data":{}}', state: 'queued', message: 'queued', percent: 0, actor: 'test', created_at: at, updated_at: at, deadline: at, attempts: 0, result_json: null },
      { ...audit, command_id: id },
      { commons_id: 'c2', revision: 1, data_json: '{}', author: 'test', created_at: at, command_id: id, state: 'pending' },
    );
    await store.moveConfigRevision('c2', 1, 'applied');
    assert.equal((await store.listConfigRevisions('c2'))[0].state, 'applied');
    await assert.rejects(store.moveConfigRevision('c2', 1, 'failed'), IllegalTransition);
  });

  it('names the row and column of a state it does not know, instead of passing it on', async () => {
    const id = await command();
    await raw(store, `UPDATE commands SET state = 'paused' WHERE id = '${id}'`);
    await raw(store, `UPDATE deployments SET gitops_state = 'merged' WHERE id = 'd1'`);
    await raw(store, `UPDATE audit SET outcome = 'maybe' WHERE id = (SELECT max(id) FROM audit)`);
    await assert.rejects(store.getCommand(id), (e: unknown) => e instanceof StoreRowError && e.table === 'commands' && e.row === id && e.column === 'state' && /"paused", which is none of queued, dispatched/.test(e.message));
    await assert.rejects(store.listCommands({ limit: 100 }), StoreRowError);
    await assert.rejects(store.getDeployment('d1'), (e: unknown) => e instanceof StoreRowError && e.column === 'gitops_state' && e.value === 'merged');
    await assert.rejects(store.listAudit({ limit: 10 }), (e: unknown) => e instanceof StoreRowError && e.table === 'audit' && e.column === 'outcome');
  });
});
