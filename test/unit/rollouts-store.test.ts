// The rollouts store on SQLite and PostgreSQL: a rollout and its targets are
// written with their audit entry; a deployment made for a target records its
// id on the target in the deployment's own transaction, and a second one for
// the same step is undone whole (no revision, no deployment): what keeps a
// restarted engine from deploying a commons twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStore } from '../../backend/store/sql-store';
import { ConflictError, type NewAudit, type NewDeployment } from '../../backend/store/store';
import { storeEngines } from '../support/store-engines';

const at = '2026-12-04T00:00:00.000Z';
const audit = (action: string): NewAudit => ({ at, actor: 'test', actor_kind: 'token', role: 'admin', action, commons_id: null, service: null, detail_json: '{}', outcome: 'accepted', command_id: null });
const commons = (id: string) => ({ id, name: id, hostname: `${id}.example.org`, environment: id, namespace: 'default', agent_id: null, release: '', config_revision: 0, config_json: '{}', created_at: at, updated_at: at });

function deployment(commonsId: string, id: string, expectBase: number | null): NewDeployment {
  return {
    commons: commons(commonsId),
    revision: { commons_id: commonsId, values_json: '{}', release: '2026.07', template: 't', profile: 'p', overrides_json: '{}', kind: 'deploy', rollback_of: null, base_revision: expectBase, base_source: 'none', diff_json: '[]', diff_text: '', author: 'test', reason: 'r', created_at: at, deployment_id: id },
    deployment: {
      id, commons_id: commonsId, kind: 'deploy', phase: 'committing', message: '', command_id: `cmd-${id}`, gitops_state: 'disabled', gitops_path: null, gitops_commit: null, applied_by: 'agent',
      restart_after_json: '[]', plan_services_json: '[]', actor: 'test', actor_kind: 'token', role: 'admin', author_name: 't', author_email: 't@x', reason: 'r', created_at: at, updated_at: at,
    },
    audit: audit('deployment.apply'),
    expectBase,
  };
}

const rollout = (id: string) => ({ id, state: 'running', message: 'm', target_json: '{"commons":["a","b"]}', change_json: '{"release":"2026.07"}', max_in_flight: 2, soak_seconds: 1, reason: 'r', actor: 'test', actor_kind: 'token', role: 'admin', failure_json: null, created_at: at, updated_at: at });
const target = (rolloutId: string, c: string, wave: number) => ({ rollout_id: rolloutId, commons_id: c, wave, position: 0, state: 'pending', message: '', deployment_id: null, from_revision: null, to_revision: null, rollback_deployment_id: null, soak_since: null, updated_at: at });

for (const engine of await storeEngines('rollouts')) {
  describe(`the rollouts store (${engine.name})`, { skip: engine.skip }, () => {
    let store: SqlStore;
    before(async () => {
      store = await engine.open();
    });
    after(() => engine.cleanup());

    it('writes a rollout, its targets and its audit entry together', async () => {
      await store.rollouts.create(rollout('r1'), [target('r1', 'a', 1), target('r1', 'b', 2)], audit('rollout.start'));
      assert.equal((await store.rollouts.get('r1'))?.state, 'running');
      assert.deepEqual((await store.rollouts.targets('r1')).map((t) => [t.commons_id, t.wave, t.state, Number(t.attempts)]), [['a', 1, 'pending', 0], ['b', 2, 'pending', 0]]);
      assert.ok((await store.listAudit({ limit: 10 })).some((e) => e.action === 'rollout.start'));
      assert.deepEqual((await store.rollouts.listOpen()).map((r) => r.id), ['r1']);
    });

    it('records the deployment on its target in the same transaction; a second one for the step is undone whole', async () => {
      const made = await store.createDeployment({ ...deployment('a', 'dep-1', null), link: store.rollouts.linkDeployment('r1', 'a', 'deploy', ['pending']) });
      const [a] = await store.rollouts.targets('r1');
      assert.deepEqual([a.state, a.deployment_id, a.to_revision, a.from_revision, Number(a.attempts)], ['deploying', 'dep-1', made.revision.revision, null, 1]);
      // The first deployment failed before rollout (so the commons is open for another): the target no longer waits for one.
      await store.moveDeployment('dep-1', 'committing', { phase: 'failed' }, { message: 'x', updated_at: at });
      await assert.rejects(store.createDeployment({ ...deployment('a', 'dep-2', null), link: store.rollouts.linkDeployment('r1', 'a', 'deploy', ['pending']) }), ConflictError);
      assert.equal(await store.getDeployment('dep-2'), undefined);
      assert.deepEqual((await store.listRevisions('a')).map((r) => r.revision), [1]);
      assert.equal((await store.rollouts.targets('r1'))[0].deployment_id, 'dep-1');
    });

    it('starts no commons of a rollout that is no longer running', async () => {
      await store.rollouts.create({ ...rollout('r2'), state: 'paused' }, [target('r2', 'p', 1)], audit('rollout.start'));
      await assert.rejects(store.createDeployment({ ...deployment('p', 'dep-p', null), link: store.rollouts.linkDeployment('r2', 'p', 'deploy', ['pending']) }), /rollout r2 is paused/);
      assert.equal(await store.getDeployment('dep-p'), undefined);
      assert.equal((await store.rollouts.targets('r2'))[0].state, 'pending');
      await store.rollouts.move('r2', ['paused'], 'completed', { message: 'x' });
    });

    it('moves a rollout or a target only from the states named', async () => {
      assert.equal(await store.rollouts.move('r1', ['paused'], 'running', { message: 'x' }), false);
      assert.equal(await store.rollouts.move('r1', ['running'], 'paused', { message: 'paused' }, audit('rollout.pause')), true);
      assert.equal((await store.rollouts.get('r1'))?.state, 'paused');
      assert.equal(await store.rollouts.moveTarget('r1', 'b', ['deploying'], 'done'), false);
      assert.equal(await store.rollouts.moveTarget('r1', 'b', ['pending'], 'skipped', { message: 'aborted' }), true);
      assert.equal((await store.rollouts.targets('r1'))[1].state, 'skipped');
      // Aborted: the engine still follows it while a commons of it is in flight (a is deploying), not after.
      assert.equal(await store.rollouts.move('r1', ['paused'], 'aborted', { message: 'a' }), true);
      assert.deepEqual((await store.rollouts.listOpen()).map((r) => r.id), ['r1']);
      assert.equal(await store.rollouts.moveTarget('r1', 'a', ['deploying'], 'done', { message: 'done' }), true);
      assert.deepEqual(await store.rollouts.listOpen(), []);
    });
  });
}
