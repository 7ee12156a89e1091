// Storage faults: /readyz reports whether the store can
// be written now, and a write the store refuses is a 503 saying what to check,
// with nothing changed. Two real faults: another process holding the
// database's write lock, and a full disk (a small tmpfs, when this machine
// lets the test mount one). Before the fix /readyz said ready and writes were
// a bare 500.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { stopProc, type Control } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, TestFleet, startTestControl } from '../support/fleet';

interface Problem {
  title: string;
  detail: string;
}

const readyz = (url: string) => fetch(`${url}/readyz`).then(async (r) => ({ status: r.status, body: (await r.json()) as { detail?: string; store?: string } }));

async function mint(url: string, name: string) {
  const r = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, role: 'viewer' }),
  });
  return { status: r.status, body: (await r.json()) as Problem, retryAfter: r.headers.get('retry-after') };
}

async function tokenNames(url: string): Promise<string[]> {
  const r = await fetch(`${url}/api/v1/tokens`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return ((await r.json()) as { items: { name: string }[] }).items.map((t) => t.name);
}

describe('a database locked by another process', () => {
  let fleet: TestFleet;
  before(async () => {
    fleet = await TestFleet.start({ commons: [] });
  });
  after(() => fleet.stop());

  it('is not ready, refuses writes with 503 and changes nothing; recovers when the lock goes', async () => {
    assert.equal((await readyz(fleet.control.url)).status, 200);
    const tokensBefore = await tokenNames(fleet.control.url);
    const auditBefore = (await fleet.admin<{ items: unknown[] }>('GET', '/api/v1/audit?limit=500')).body.items.length;

    const other = new Sqlite(join(fleet.control.opts.dataDir, 'dcoc.sqlite'));
    try {
      other.exec('BEGIN EXCLUSIVE');
      const r = await readyz(fleet.control.url);
      assert.equal(r.status, 503);
      assert.match(r.body.detail ?? '', /store cannot be written: .*locked/);

      const refused = await mint(fleet.control.url, 'while-locked');
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal(refused.body.title, 'Store unavailable');
      assert.match(refused.body.detail, /locked by another process.*nothing was changed.*DCOC_DATA_DIR/);
      assert.equal(refused.retryAfter, '5');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }

    assert.deepEqual(await tokenNames(fleet.control.url), tokensBefore, 'no token was made');
    assert.equal((await fleet.admin<{ items: unknown[] }>('GET', '/api/v1/audit?limit=500')).body.items.length, auditBefore, 'no audit entry was written');
    assert.deepEqual(await readyz(fleet.control.url).then((r) => [r.status, r.body.store]), [200, 'writable']);
    assert.equal((await mint(fleet.control.url, 'after-lock')).status, 201);
  });
});

/** A tmpfs of `mb` MiB at a fresh directory, or why not (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(mb: number): { dir: string } | { missing: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-small-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { missing: `cannot mount a tmpfs (${(r.stderr || r.error?.message || '').trim()}); run as root with CAP_SYS_ADMIN to test a full disk` };
  }
  return { dir };
}

const disk = mountTmpfs(16);
if ('missing' in disk) {
  // This machine kind runs the tests as root; under CI a machine that cannot is a failure, never a skip.
  if (process.env.CI) throw new Error(`full-disk test: ${disk.missing}; CI must run as root`);
  console.warn(`*** SKIPPED: full-disk test: ${disk.missing} ***`);
}

describe('a full disk', { skip: 'missing' in disk ? disk.missing : false }, () => {
  const dir = 'dir' in disk ? disk.dir : '';
  let control: Control;
  before(async () => {
    mkdirSync(join(dir, 'control'));
    control = await startTestControl(join(dir, 'control'), { DCOC_STORE_MIN_FREE_MB: '2' });
  });
  after(async () => {
    await stopProc(control);
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is not ready, refuses writes with 503 without losing an accepted one, and recovers when space is freed', async () => {
    assert.equal((await readyz(control.url)).status, 200);
    const filler = join(dir, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
      try {
        for (;;) writeSync(fd, chunk.subarray(0, size));
      } catch {
        // this size no longer fits; try a smaller one
      }
    }
    closeSync(fd);

    const r = await readyz(control.url);
    assert.equal(r.status, 503);
    assert.match(r.body.detail ?? '', /KiB free, under the 2048 KiB minimum/);

    // The WAL may still have room for a few writes; every answer is 201 or a 503, and every 201 is kept.
    const accepted: string[] = [];
    let refused: { status: number; body: Problem } | undefined;
    for (let i = 0; i < 2000 && !refused; i++) {
      const m = await mint(control.url, `full-${i}`);
      if (m.status === 201) accepted.push(`full-${i}`);
      else refused = m;
    }
    assert.ok(refused, 'a write was refused');
    assert.equal(refused.status, 503, `${JSON.stringify(refused.body)}\n${control.logs.filter((l) => l.includes('"level":50')).slice(-2).join('\n')}`);
    assert.match(refused.body.detail, /disk holding the database is full \(SQLITE_FULL\); nothing was changed/);

    unlinkSync(filler);
    assert.equal((await readyz(control.url)).status, 200);
    assert.equal((await mint(control.url, 'after-full')).status, 201);
    const names = await tokenNames(control.url);
    assert.deepEqual(
      names.filter((n) => n.startsWith('full-') || n === 'after-full'),
      [...accepted, 'after-full'],
      'every accepted token is there, the refused one is not',
    );
  });
});
