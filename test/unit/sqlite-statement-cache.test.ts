// The SQLite store reuses prepared statements by SQL text (Kysely prepares
// every query anew, 5-8 % of the control service's CPU at 5,000 agents).
// Reuse must not change what a query returns: a statement still being
// iterated is not handed out twice, a schema change is seen, and the cache
// stays bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { cachedStatements } from '../../backend/store/open-sqlite';

function counted(db: Sqlite.Database) {
  const calls = { n: 0 };
  return { calls, file: { prepare: (sql: string) => (calls.n++, db.prepare(sql)) } };
}

describe('the SQLite statement cache', () => {
  it('prepares a query once and returns the same rows each time', () => {
    const db = new Sqlite(':memory:');
    db.exec('create table t (id integer primary key, v text); insert into t (v) values (\'a\'), (\'b\')');
    const { calls, file } = counted(db);
    const prepare = cachedStatements(file);
    for (let i = 0; i < 5; i++) assert.deepEqual(prepare('select v from t where id = ?').all([1]), [{ v: 'a' }]);
    assert.deepEqual(prepare('select v from t where id = ?').all([2]), [{ v: 'b' }]);
    assert.equal(calls.n, 1);
  });

  it('gives a fresh statement while the cached one is being iterated', () => {
    const db = new Sqlite(':memory:');
    db.exec('create table t (id integer primary key); insert into t (id) values (1), (2), (3)');
    const prepare = cachedStatements(db);
    const seen: number[][] = [];
    for (const row of prepare('select id from t order by id').iterate() as Iterable<{ id: number }>) {
      seen.push((prepare('select id from t order by id').all() as { id: number }[]).map((r) => r.id).concat(row.id));
    }
    assert.deepEqual(seen, [
      [1, 2, 3, 1],
      [1, 2, 3, 2],
      [1, 2, 3, 3],
    ]);
  });

  it('sees a column added after the statement was cached', () => {
    const db = new Sqlite(':memory:');
    db.exec('create table t (id integer primary key); insert into t (id) values (1)');
    const prepare = cachedStatements(db);
    assert.deepEqual(prepare('select * from t').all(), [{ id: 1 }]);
    db.exec("alter table t add column v text not null default 'x'");
    assert.deepEqual(prepare('select * from t').all(), [{ id: 1, v: 'x' }]);
  });

  it('keeps at most its size, dropping the oldest', () => {
    const db = new Sqlite(':memory:');
    const { calls, file } = counted(db);
    const prepare = cachedStatements(file, 3);
    for (const k of [1, 2, 3, 4]) prepare(`select ${k}`);
    prepare('select 4');
    prepare('select 2');
    assert.equal(calls.n, 4, 'the three newest are kept');
    prepare('select 1');
    assert.equal(calls.n, 5, 'the oldest was dropped');
  });
});
