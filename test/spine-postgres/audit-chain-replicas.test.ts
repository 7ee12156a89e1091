// Two control services on one PostgreSQL writing audit entries at the same
// time (API tokens minted on both, and refusals, which are audited too): the
// chain stays one line, `dcoc-control audit verify` finds it intact, and both
// replicas export the same chain with seq 1, 2, 3, … and each prev_hash the
// hash before it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditExportEntry } from '../../contracts/compliance';
import { type Control, api, stopProc } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, startTestControl } from '../support/fleet';
import { type TestDatabase, createTestDatabase, skipWithoutPostgres } from '../support/postgres';

const ROOT = resolve(import.meta.dirname, '../..');

function verify(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DCOC_'))) as Record<string, string>;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'backend/main.ts', 'audit', 'verify'], { cwd: ROOT, env: { ...env, DCOC_DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the audit chain with two replicas writing at once', { skip: await skipWithoutPostgres() }, () => {
  let db: TestDatabase;
  let dir: string;
  let a: Control;
  let b: Control;

  before(async () => {
    db = await createTestDatabase('auditreplicas');
    dir = mkdtempSync(join(tmpdir(), 'dcoc-audit-replicas-'));
    a = await startTestControl(join(dir, 'a'), { DCOC_DATABASE_URL: db.url, DCOC_REPLICA_ID: 'a' });
    b = await startTestControl(join(dir, 'b'), { DCOC_DATABASE_URL: db.url, DCOC_REPLICA_ID: 'b', DCOC_CA_CERT_FILE: join(dir, 'a', 'pki', 'ca.crt.pem'), DCOC_CA_KEY_FILE: join(dir, 'a', 'pki', 'ca.key.pem') });
  });
  after(async () => {
    await Promise.all([a, b].filter(Boolean).map((c) => stopProc(c)));
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stays one verifiable line', async () => {
    const viewer = (await api<{ token: string }>(a, ADMIN_TOKEN, 'POST', '/api/v1/tokens', { name: 'audit-viewer', role: 'viewer' })).body.token;
    const writes: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 20; i++) {
      for (const [c, name] of [[a, 'a'], [b, 'b']] as const) {
        writes.push(api(c, ADMIN_TOKEN, 'POST', '/api/v1/tokens', { name: `race-${name}-${i}`, role: 'viewer' }));
        writes.push(api(c, viewer, 'POST', '/api/v1/tokens', { name: `refused-${name}-${i}`, role: 'admin' }));
      }
    }
    const statuses = (await Promise.all(writes)).map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 40);
    assert.equal(statuses.filter((s) => s === 403).length, 40);

    const r = await verify(db.url);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const checked = Number(/intact: (\d+) entries checked/.exec(r.stdout)?.[1]);
    assert.ok(checked >= 81, r.stdout);

    const exported = async (c: Control) => {
      const res = await fetch(`${c.url}/api/v1/audit/export?format=jsonl`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(res.status, 200);
      return (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as AuditExportEntry);
    };
    const [fromA, fromB] = [await exported(a), await exported(b)];
    assert.deepEqual(fromA, fromB);
    assert.deepEqual(fromA.map((e) => e.seq), fromA.map((_e, k) => k + 1));
    for (let k = 1; k < fromA.length; k++) assert.equal(fromA[k].prevHash, fromA[k - 1].hash);
    assert.equal(fromA.filter((e) => e.action === 'api-token.create' && e.outcome === 'denied').length, 40);
  });
});
