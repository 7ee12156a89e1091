// The control service's data directory: a second
// control service on the same directory refuses to start, saying which
// process holds it, before it touches anything (before the fix it overwrote
// the seed admin token, then failed to bind); the database files are readable
// by the service's user only.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControl } from '../../scripts/demo/processes';
import { freePort } from '../support/free-port';
import { ADMIN_TOKEN, TestFleet } from '../support/fleet';

describe('the data directory', () => {
  let fleet: TestFleet;
  before(async () => {
    fleet = await TestFleet.start({ commons: [] });
  });
  after(() => fleet.stop());

  it('a second control service on it exits naming the first, and the first keeps its admin token', async () => {
    const dataDir = fleet.control.opts.dataDir;
    const second = startControl({ dataDir, adminToken: 'dcoc_second-admin-token-0123456789', httpPort: await freePort(), grpcPort: await freePort(), enrollPort: await freePort() });
    await assert.rejects(second, (e: Error) => /exited \(1\)/.test(e.message) && /another control service \(pid \d+\) is using the data directory/.test(e.message));
    const owner = readFileSync(join(dataDir, 'dcoc.lock'), 'utf8').trim();
    assert.equal(owner, String(fleet.control.child.pid));
    const api = (token: string) => fetch(`${fleet.control.url}/api/v1/commons`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
    assert.equal(await api(ADMIN_TOKEN), 200, 'the first service still knows its admin token');
    assert.equal(await api('dcoc_second-admin-token-0123456789'), 401, 'the second never seeded its own');
  });

  it('the database, its WAL and the lock are readable by the owner only', () => {
    for (const f of ['dcoc.sqlite', 'dcoc.sqlite-wal', 'dcoc.sqlite-shm', 'dcoc.lock']) {
      assert.equal((statSync(join(fleet.control.opts.dataDir, f)).mode & 0o777).toString(8), '600', f);
    }
  });
});
