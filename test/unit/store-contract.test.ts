// The store's promises, on SQLite and on PostgreSQL alike: migrations (and the
// refusal of a schema newer than this build), single use of an enrollment
// token, one open deployment per commons and one import per release under
// concurrent requests (several replicas share one PostgreSQL, where reads do
// not block writes), bytewise list order, and who may write a commons' live state.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MIGRATION_NAMES } from '../../backend/store/migrations';
import { ConflictError, type NewAudit, type NewDeployment } from '../../backend/store/store';
import { SchemaTooNewError, type SqlStore } from '../../backend/store/sql-store';
import { raw, storeEngines } from '../support/store-engines';

const at = '2026-12-04T00:00:00.000Z';
const audit: NewAudit = { at, actor: 'test', actor_kind: 'token', role: 'admin', action: 'test', commons_id: null, service: null, detail_json: '{}', outcome: 'accepted', command_id: null };
const commons = (id: string) => ({ id, name: id, hostname: `${id}.example.org`, environment: id, namespace: 'default', agent_id: null, release: '', config_revision: 0, config_json: '{}', created_at: at, updated_at: at });

function deployment(commonsId: string, id: string): NewDeployment {
  return {
    commons: commons(commonsId),
    revision: { commons_id: commonsId, values_json: '{}', release: '2026.07', template: 't', profile: 'p', overrides_json: '{}', kind: 'deploy', rollback_of: null, base_revision: null, base_source: 'none', diff_json: '[]', diff_text: '', author: 'test', reason: 'r', created_at: at, deployment_id: id },
    deployment: {
      id, commons_id: commonsId, kind: 'deploy', phase: 'committing', message: '', command_id: `cmd-${id}`, gitops_state: 'pending', gitops_path: null, gitops_commit: null, applied_by: 'agent',
      restart_after_json: '[]', plan_services_json: '[]', actor: 'test', actor_kind: 'token', role: 'admin', author_name: 't', author_email: 't@x', reason: 'r', created_at: at, updated_at: at,
    },
    audit,
    expectBase: null,
  };
}

for (const engine of await storeEngines('contract')) {
  describe(`the store's contract (${engine.name})`, { skip: engine.skip }, () => {
    let store: SqlStore;
    before(async () => {
      store = await engine.open();
    });
    after(() => engine.cleanup());

    it('applies every migration this build knows, once', async () => {
      assert.deepEqual(await store.appliedMigrations(), MIGRATION_NAMES);
      await store.migrate(); // a second start changes nothing
      assert.deepEqual(await store.appliedMigrations(), MIGRATION_NAMES);
    });

    it('spends an enrollment token once, however many ask at the same time', async () => {
      await store.createEnrollmentToken({ id: 'tok1', token_hash: 'h1', description: '', created_by: 'test', created_at: at, expires_at: '2999-01-01T00:00:00.000Z', used_at: null, used_by_agent: null });
      const agent = (n: number) => ({ id: `agent-${n}`, commons_id: null, hostname: 'x', version: 'v', cert_serial: `s${n}`, prev_cert_serial: null, cert_not_after: at, revoked: 0, enrolled_at: at, last_seen: null, enrollment_token_id: '' });
      const results = await Promise.all([1, 2, 3, 4, 5].map((n) => store.consumeEnrollmentToken('h1', at, agent(n))));
      assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
      assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'used'));
      assert.equal((await store.listAgents()).length, 1);
    });

    it('opens one deployment per commons when two replicas ask at once; the other is a conflict', async () => {
      const results = await Promise.allSettled([store.createDeployment(deployment('race', 'd-1')), store.createDeployment(deployment('race', 'd-2'))]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const refused = results.find((r) => r.status === 'rejected');
      assert.ok(refused?.status === 'rejected' && refused.reason instanceof ConflictError, String(refused?.status === 'rejected' && refused.reason));
      assert.deepEqual((await store.listRevisions('race')).map((r) => r.revision), [1]);
    });

    it('imports a release once when two replicas import it at once', async () => {
      const row = { version: '2026.10', name: null, images_json: '{}', format: 'manifest', imported_by: 'test', imported_at: at };
      const results = await Promise.allSettled([store.importRelease(row, audit), store.importRelease(row, audit)]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof ConflictError));
    });

    it('lists in byte order, as SQLite does, on every engine', async () => {
      const ids = ['b-b', 'b_b', 'bB', 'bb', 'b.b', 'B'];
      for (const id of ids) await store.upsertCommons(commons(id));
      const listed = (await store.listCommons()).map((c) => c.id).filter((id) => ids.includes(id));
      assert.deepEqual(listed, [...ids].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1)));
    });

    it('lets the replica holding an agent take a commons live state over; a late disconnect elsewhere does not', async () => {
      const put = (replica: string, connected: number) => store.putCommonsLive({ commons_id: 'live1', replica_id: replica, connected, live_json: JSON.stringify({ replica, connected }), updated_at: at });
      const owner = async () => (await store.listCommonsLive(['live1']))[0]?.replica_id;
      await put('a', 1);
      await put('b', 0); // b's stream of this commons closed after the agent had moved to a
      assert.equal(await owner(), 'a');
      await put('b', 1); // the agent moved to b
      assert.equal(await owner(), 'b');
      await put('a', 0);
      assert.equal(await owner(), 'b');
      await put('b', 0); // b's own disconnect is written
      assert.deepEqual(JSON.parse((await store.listCommonsLive(['live1']))[0].live_json), { replica: 'b', connected: 0 });
      assert.deepEqual(await store.listCommonsLive([]), []);
    });

    it('refuses a database written by a newer build, changing nothing', async () => {
      await raw(store, `INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '${at}')`);
      await assert.rejects(store.migrate(), (e: unknown) => e instanceof SchemaTooNewError && /9999_from_the_future/.test(e.message) && /Run that version/.test(e.message));
      assert.deepEqual((await store.appliedMigrations()).filter((m) => !MIGRATION_NAMES.includes(m)), ['9999_from_the_future']);
      await raw(store, `DELETE FROM kysely_migration WHERE name = '9999_from_the_future'`);
    });
  });
}
