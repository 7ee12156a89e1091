// Must-show: a Gen3 database backup runs against a real PostgreSQL and its
// dump restores into an empty database with the same rows. The agent, as its
// ServiceAccount bound to agent/deploy/rbac.yaml, creates the backup Job on
// the real control plane and follows it to completion (kwok stands for the
// kubelet and runs no container). The test then takes each container of the
// Job exactly as the apiserver holds it (command, env, the secretKeyRef
// values resolved from the `<service>-dbcreds` Secret, as the kubelet does)
// and runs it on this host against the real PostgreSQL, with a temp folder
// standing for the claim mounted at /backups and a file for the termination
// log. The restore Job (rendered by the agent's template, accepted by the
// apiserver) runs the same way into an empty database; every table then has
// the same rows. Not verified here: the backup image, a real kubelet mounting
// the claim, object storage.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { BatchV1Api, CoreV1Api, type V1Container, type V1Job } from '@kubernetes/client-node';
import pg from 'pg';
import { BACKUP_MOUNT, type BackupDestination, backupJobName, restoreJobName } from '../../agent/backups/backup-job';
import { onPath } from '../../scripts/tools/on-path';
import { useControlPlane } from '../support/control-plane';
import { NS, command, realKubeCommons, run } from '../support/kube-agent';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../support/postgres';

const controlPlane = useControlPlane();
const DEST: BackupDestination = { pvc: 'dcoc-backups', image: 'postgres:15-alpine', keepLast: 2 };

function requirePgTools(t: TestContext): boolean {
  const missing = ['pg_dump', 'pg_restore'].filter((b) => !onPath(b));
  if (missing.length === 0) return true;
  const msg = `${missing.join(', ')} not on PATH: apt-get install postgresql-client`;
  if (process.env.CI) assert.fail(`${msg}; CI must install it`);
  console.warn(`\n*** SKIPPED: ${msg} ***\n`);
  t.skip(msg);
  return false;
}

async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Every table of schema public with all its rows, ordered: what "the same rows" compares. */
async function contents(url: string): Promise<Record<string, unknown[]>> {
  const tables = await sql<{ t: string }>(url, "select table_name as t from information_schema.tables where table_schema = 'public' order by 1");
  const out: Record<string, unknown[]> = {};
  for (const { t } of tables) out[t] = await sql(url, `select to_jsonb(x) as row from "${t}" x order by to_jsonb(x)::text`);
  return out;
}

/** The `<service>-dbcreds` Secret gen3-helm writes (helm/common/templates/_db_setup_job.tpl, 42cc46bc), for `db`. */
function dbcreds(name: string, db: TestDatabase) {
  const u = new URL(db.url);
  return { metadata: { name }, stringData: { host: u.hostname, port: u.port || '5432', username: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: db.name } };
}

/** Runs `c` as the kubelet would: env resolved (value, secretKeyRef), /backups the temp folder; its termination message. */
async function runContainer(core: CoreV1Api, c: V1Container, claimDir: string, scratch: string): Promise<{ status: number; output: string; report: string }> {
  const report = join(scratch, `${c.name}.termination-log`);
  const local = (v: string) => (v === c.terminationMessagePath ? report : v.startsWith(BACKUP_MOUNT) ? claimDir + v.slice(BACKUP_MOUNT.length) : v);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = local(e.value);
    else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const s = await core.readNamespacedSecret({ name: ref.name!, namespace: NS });
      env[e.name] = Buffer.from(s.data![ref.key], 'base64').toString('utf8');
    } else assert.fail(`container ${c.name}: env ${e.name} is neither a value nor a secretKeyRef`);
  }
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}`, report: existsSync(report) ? readFileSync(report, 'utf8') : '' };
}

describe('database backups on the real control plane, against a real PostgreSQL', { timeout: 300_000 }, () => {
  it('the backup Job the agent creates dumps fence and indexd; the restore Job restores fence into an empty database with the same rows', async (t) => {
    if (await skipWithoutPostgres()) return t.skip('no PostgreSQL');
    if (!requirePgTools(t)) return;
    const cp = await controlPlane(t);
    if (!cp) return;
    const scratch = mkdtempSync(join(tmpdir(), 'dcoc-backup-'));
    const claimDir = join(scratch, 'claim');
    t.after(() => rmSync(scratch, { recursive: true, force: true }));
    const fence = await createTestDatabase('fence');
    const indexd = await createTestDatabase('indexd');
    const empty = await createTestDatabase('fence_restore');
    t.after(() => Promise.all([fence.drop(), indexd.drop(), empty.drop()]));
    await sql(fence.url, `
      create table "User" (id serial primary key, username text not null unique, email text, active boolean default true, additional_info jsonb);
      create table client (client_id text primary key, user_id int references "User"(id), redirect_uri text, created timestamptz default now(), secret bytea);
      insert into "User" (username, email, additional_info) select 'user' || g, 'user' || g || '@example.org', jsonb_build_object('n', g) from generate_series(1, 250) g;
      insert into client select 'client-' || g, g, 'https://app/' || g, now() - g * interval '1 day', decode(md5(g::text), 'hex') from generate_series(1, 40) g;`);
    await sql(indexd.url, `create table index_record (did text primary key, size bigint, urls text[]); insert into index_record select 'dg.1234/' || g, g * 1024, array['s3://bucket/' || g] from generate_series(1, 100) g;`);

    const k = await realKubeCommons(cp, { backups: DEST });
    t.after(() => k.platform.stop());
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const batch = cp.kubeConfig.makeApiClient(BatchV1Api);
    // What the operator provides: the services' dbcreds Secrets (gen3-helm writes them) and a bound claim.
    for (const [name, db] of [['fence-dbcreds', fence], ['indexd-dbcreds', indexd], ['fence-restore-dbcreds', empty]] as const) {
      // The seeded commons has fence's and indexd's already (dummy values): they now point at the real databases.
      await core.deleteNamespacedSecret({ name, namespace: NS }).catch(() => undefined);
      await core.createNamespacedSecret({ namespace: NS, body: dbcreds(name, db) });
    }
    await core.createPersistentVolume({ body: { metadata: { name: 'dcoc-backups-pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: claimDir }, storageClassName: '', claimRef: { namespace: NS, name: DEST.pvc } } } });
    // Bound as the PV controller binds a pre-bound pair (its annotation, then status; the test control plane runs no volume controllers).
    await core.createNamespacedPersistentVolumeClaim({
      namespace: NS,
      body: { metadata: { name: DEST.pvc, annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', volumeName: 'dcoc-backups-pv', resources: { requests: { storage: '1Gi' } } } },
    });
    await core.replacePersistentVolumeStatus({ name: 'dcoc-backups-pv', body: { ...(await core.readPersistentVolume({ name: 'dcoc-backups-pv' })), status: { phase: 'Bound' } } });
    await core.replaceNamespacedPersistentVolumeClaimStatus({
      name: DEST.pvc,
      namespace: NS,
      body: { ...(await core.readNamespacedPersistentVolumeClaim({ name: DEST.pvc, namespace: NS })), status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } },
    });

    const backupId = '20261204T200000Z-abc123';
    const ex = k.platform.executors.find((e) => e.kind === 'backup');
    assert.ok(ex, 'the Kubernetes platform carries out backup commands');
    const r = await run(ex, command('backup', '', { backupId, databases: ['fence', 'indexd'] }));
    const pods = async () => JSON.stringify((await core.listNamespacedPod({ namespace: NS, labelSelector: `job-name=${backupJobName(backupId)}` })).items.map((p) => ({ spec: p.spec?.nodeName, status: p.status })));
    const claim = async () => JSON.stringify((await core.readNamespacedPersistentVolumeClaim({ name: DEST.pvc, namespace: NS })).status);
    assert.equal(r.ok, true, `the backup command succeeds once its Job completes: ${r.message}\n${r.progress.join('\n')}\npods: ${await pods()}\nclaim: ${await claim()}`);
    const result = (r as { result?: Record<string, unknown> }).result;
    assert.equal(result?.location, `pvc://${DEST.pvc}/${backupId}/`);

    const job: V1Job = await batch.readNamespacedJob({ name: backupJobName(backupId), namespace: NS });
    const podSpec = job.spec!.template.spec!;
    assert.deepEqual(podSpec.volumes?.map((v) => v.persistentVolumeClaim?.claimName), [DEST.pvc]);
    const all = [...(podSpec.initContainers ?? []), ...podSpec.containers];
    assert.deepEqual(all.map((c) => c.name), ['dump-fence', 'dump-indexd', 'retention']);
    const secretValues = [fence, indexd].map((d) => new URL(d.url).password);
    assert.ok(!secretValues.some((p) => JSON.stringify(job).includes(p)), 'no password in the Job spec');
    assert.ok(all.flatMap((c) => c.env ?? []).filter((e) => e.name === 'PGPASSWORD').every((e) => e.valueFrom?.secretKeyRef?.key === 'password'));

    // On the claim: two older complete backups, the folder of a failed one between them, and a newer one still running.
    // Retention keeps this one and the newest complete one before it (keepLast 2), removes the older complete one and
    // the failed one's partial dumps, and leaves the running one alone.
    for (const [old, complete] of [['20261201T000000Z-old1', true], ['20261202T000000Z-old2', true], ['20261203T000000Z-failed3', false], ['20261205T000000Z-running4', false]] as const) {
      mkdirSync(join(claimDir, old), { recursive: true });
      writeFileSync(join(claimDir, old, 'fence.dump'), 'x');
      if (complete) writeFileSync(join(claimDir, old, 'COMPLETE'), '');
    }
    for (const c of all) {
      const out = await runContainer(core, c, claimDir, scratch);
      assert.equal(out.status, 0, `container ${c.name} exits 0: ${out.output}`);
      if (c.name.startsWith('dump-')) {
        const service = c.name.slice('dump-'.length);
        const report = JSON.parse(out.report) as { service: string; database: string; bytes: number };
        const file = join(claimDir, backupId, `${service}.dump`);
        assert.deepEqual(report, { service, database: service === 'fence' ? fence.name : indexd.name, bytes: statSync(file).size }, 'the termination message reports the dump and its size');
      }
    }
    assert.deepEqual(readdirSync(claimDir).sort(), ['20261202T000000Z-old2', backupId, '20261205T000000Z-running4'], 'retention removed the oldest complete backup and the failed one only');
    assert.deepEqual(readdirSync(join(claimDir, backupId)).sort(), ['COMPLETE', 'fence.dump', 'indexd.dump']);

    // Restore fence into the empty database: the restore command creates the Job (as its ServiceAccount), which then runs as the kubelet would.
    const rex = k.platform.executors.find((e) => e.kind === 'restore');
    assert.ok(rex, 'the Kubernetes platform carries out restore commands');
    const rr = await run(rex, command('restore', '', { backupId, service: 'fence', secret: 'fence-restore-dbcreds' }));
    assert.equal(rr.ok, true, `the restore command succeeds once its Job completes: ${rr.message}`);
    const restore: V1Job = await batch.readNamespacedJob({ name: restoreJobName(backupId, 'fence'), namespace: NS });
    assert.deepEqual(restore.spec!.template.spec!.volumes?.map((v) => ({ ...v.persistentVolumeClaim })), [{ claimName: DEST.pvc, readOnly: true }]);
    const rc = restore.spec!.template.spec!.containers[0];
    assert.ok(!JSON.stringify(restore).includes(new URL(empty.url).password), 'no password in the restore Job');
    const out = await runContainer(core, rc, claimDir, scratch);
    assert.equal(out.status, 0, `pg_restore exits 0: ${out.output}`);
    const [before, after] = [await contents(fence.url), await contents(empty.url)];
    assert.deepEqual(Object.keys(after), ['User', 'client']);
    assert.equal(after.User.length, 250);
    assert.deepEqual(after, before, 'every table has the same rows');

    // Restoring again into the now non-empty database stops at the first existing object and changes nothing.
    await sql(empty.url, `insert into "User" (username) values ('added after the restore')`);
    const changed = await contents(empty.url);
    const again = await runContainer(core, rc, claimDir, scratch);
    assert.notEqual(again.status, 0, 'a restore into a database that is not empty fails');
    assert.deepEqual(await contents(empty.url), changed, 'the failed restore rolled back: the database is as it was');
  });
});
