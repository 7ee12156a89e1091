// The store counts failed and expired commands per commons in a time range
// (GET /fleet/summary's commands, the health query's commands_failed) with
// one grouped query, on SQLite and PostgreSQL alike: by state, by when the
// command last changed (both ends included), only the commons asked for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStore } from '../../backend/store/sql-store';
import { raw, storeEngines } from '../support/store-engines';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 4, 12, minute)).toISOString();
const commons = (id: string) => ({ id, name: id, hostname: `${id}.example.org`, environment: id, namespace: 'default', agent_id: null, release: '', config_revision: 0, config_json: '{}', created_at: at(0), updated_at: at(0) });

for (const engine of await storeEngines('command-counts')) {
  describe(`failed commands counted per commons (${engine.name})`, { skip: engine.skip }, () => {
    let store: SqlStore;
    before(async () => {
      store = await engine.open();
      for (const id of ['c1', 'c2', 'c3']) await store.upsertCommons(commons(id));
      const rows: [string, string, string, number][] = [
        ['a', 'c1', 'failed', 10],
        ['b', 'c1', 'failed', 20],
        ['c', 'c1', 'expired', 30],
        ['d', 'c1', 'succeeded', 15],
        ['e', 'c1', 'failed', 5], // before the range
        ['f', 'c2', 'expired', 40], // the range's last instant
        ['g', 'c2', 'failed', 41], // after it
        ['h', 'c3', 'failed', 25],
      ];
      for (const [id, c, state, minute] of rows) {
        await raw(
          store,
          `insert into commands (id, kind, commons_id, service, target_json, state, message, percent, actor, created_at, updated_at, deadline, attempts, result_json) values ('${id}', 'restart', '${c}', 'fence', '{}', '${state}', '', 100, 'test', '${at(0)}', '${at(minute)}', '${at(60)}', 1, null)`,
        );
      }
    });
    after(() => engine.cleanup());

    const sorted = (xs: { commons: string; state: string; count: number }[]) => xs.map((x) => `${x.commons} ${x.state} ${x.count}`).sort();

    it('counts each state per commons in [from, to]', async () => {
      const got = await store.countCommandsByState({ states: ['failed', 'expired'], from: at(10), to: at(40) });
      assert.deepEqual(sorted(got), ['c1 expired 1', 'c1 failed 2', 'c2 expired 1', 'c3 failed 1']);
    });

    it('only the commons asked for; none asked for is none', async () => {
      assert.deepEqual(sorted(await store.countCommandsByState({ states: ['failed', 'expired'], from: at(0), to: at(59), commonsIn: ['c2'] })), ['c2 expired 1', 'c2 failed 1']);
      assert.deepEqual(await store.countCommandsByState({ states: ['failed'], from: at(0), to: at(59), commonsIn: [] }), []);
    });
  });
}
