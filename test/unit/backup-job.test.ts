// The backup and restore Job templates the agent renders: least privilege
// (no service account token, no capabilities, no password in the spec, the
// restore reads the claim read-only), what the agent's Role must grant for
// them, and the termination-message report the sizes come from.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { BACKUP_MOUNT, type BackupDestination, JOB_TTL_SECONDS, backupJobName, readDumpReport, renderBackupJob, renderRestoreJob, restoreJobName } from '../../agent/backups/backup-job';
import { simBackupExecutors } from '../../agent/backups/sim-backup';
import type { CommandSpec, ExecContext } from '../../agent/executors/executor';
import { BackupId, GEN3_DATABASE_SERVICES } from '../../contracts/backups';

const DEST: BackupDestination = { pvc: 'gen3-backups', image: 'postgres:16-alpine', keepLast: 7 };
const ID = '20261204T020000Z-0123abcd';

describe('backup Job template', () => {
  const job = renderBackupJob({ namespace: 'gen3', backupId: ID, databases: ['fence', 'indexd', 'sheepdog'], dest: DEST, commandId: 'c-1' });
  const pod = job.spec!.template.spec!;

  it('one pg_dump init container per database, in order, then retention; never retried, deleted by the TTL controller', () => {
    assert.deepEqual(pod.initContainers!.map((c) => c.name), ['dump-fence', 'dump-indexd', 'dump-sheepdog']);
    assert.deepEqual(pod.containers.map((c) => c.name), ['retention']);
    assert.equal(job.spec!.backoffLimit, 0);
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(job.spec!.ttlSecondsAfterFinished, JOB_TTL_SECONDS);
    assert.match(pod.initContainers![0].command!.join(' '), /pg_dump --format=custom/);
    assert.equal(pod.containers[0].env!.find((e) => e.name === 'KEEP_LAST')!.value, '7');
  });

  it('credentials come only from each service\'s <service>-dbcreds Secret, keys as gen3-helm writes them', () => {
    for (const c of pod.initContainers!) {
      const service = c.name.slice('dump-'.length);
      const pgVars = c.env!.filter((e) => e.name.startsWith('PG'));
      assert.deepEqual(
        pgVars.map((e) => [e.name, e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.key]),
        [
          ['PGHOST', `${service}-dbcreds`, 'host'],
          ['PGPORT', `${service}-dbcreds`, 'port'],
          ['PGUSER', `${service}-dbcreds`, 'username'],
          ['PGPASSWORD', `${service}-dbcreds`, 'password'],
          ['PGDATABASE', `${service}-dbcreds`, 'database'],
        ],
      );
      assert.ok(pgVars.every((e) => e.value === undefined), 'no literal PG* value');
    }
  });

  it('least privilege: no service account token, no privilege escalation, all capabilities dropped, only the claim mounted', () => {
    assert.equal(pod.automountServiceAccountToken, false);
    for (const c of [...pod.initContainers!, ...pod.containers]) {
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false, c.name);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], c.name);
      assert.deepEqual(c.volumeMounts, [{ name: 'backups', mountPath: BACKUP_MOUNT }], c.name);
    }
    assert.deepEqual(pod.volumes, [{ name: 'backups', persistentVolumeClaim: { claimName: 'gen3-backups' } }]);
  });

  it('the restore Job reads the claim read-only, restores in one transaction and stops at the first existing object', () => {
    const r = renderRestoreJob({ namespace: 'gen3', backupId: ID, service: 'fence', dest: DEST, secret: 'fence-restore-dbcreds' });
    const spec = r.spec!.template.spec!;
    const c = spec.containers[0];
    assert.equal(spec.automountServiceAccountToken, false);
    assert.deepEqual(spec.volumes, [{ name: 'backups', persistentVolumeClaim: { claimName: 'gen3-backups', readOnly: true } }]);
    assert.equal(c.volumeMounts![0].readOnly, true);
    assert.match(c.command!.join(' '), /pg_restore .*--exit-on-error --single-transaction/);
    assert.equal(c.env!.find((e) => e.name === 'DUMP_FILE')!.value, `${BACKUP_MOUNT}/${ID}/fence.dump`);
    assert.ok(c.env!.filter((e) => e.name.startsWith('PG')).every((e) => e.valueFrom?.secretKeyRef?.name === 'fence-restore-dbcreds'));
    // Without a secret: the service's own.
    const own = renderRestoreJob({ namespace: 'gen3', backupId: ID, service: 'fence', dest: DEST });
    assert.ok(own.spec!.template.spec!.containers[0].env!.filter((e) => e.name.startsWith('PG')).every((e) => e.valueFrom?.secretKeyRef?.name === 'fence-dbcreds'));
  });

  it('Job names are DNS labels of at most 63 characters', () => {
    const longest = GEN3_DATABASE_SERVICES.reduce((a, b) => (b.length > a.length ? b : a));
    const id = '20261204T020000Z-0123456789abcdef';
    assert.ok(BackupId.safeParse(id).success);
    for (const n of [backupJobName(id), restoreJobName(id, longest), restoreJobName(id, 'a-very-long-service-name-for-testing')]) {
      assert.match(n, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      assert.ok(n.length <= 63, n);
    }
  });

  it('a dump container\'s termination message is read as the database\'s size; anything else is no size', () => {
    assert.deepEqual(readDumpReport('{"service":"fence","database":"fence_db","bytes":1234}'), { service: 'fence', database: 'fence_db', bytes: 1234 });
    assert.equal(readDumpReport(''), null);
    assert.equal(readDumpReport('Error: connection refused'), null);
    assert.equal(readDumpReport('{"service":"fence","database":"x","bytes":-1}'), null);
  });
});

describe("the agent's Role", () => {
  it('grants the backup and restore executors what they call (jobs get and create, pods list) and no delete and no Secret read', () => {
    const role = parseAllDocuments(readFileSync('agent/deploy/rbac.yaml', 'utf8'))
      .map((d) => d.toJS() as { kind: string; rules?: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[] })
      .find((d) => d.kind === 'Role')!;
    const allows = (group: string, resource: string, verb: string) => role.rules!.some((r) => !r.resourceNames && r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    for (const verb of ['get', 'create']) assert.ok(allows('batch', 'jobs', verb), `jobs ${verb}`);
    assert.ok(allows('', 'pods', 'list'));
    assert.ok(!allows('batch', 'jobs', 'delete'), 'finished Jobs go by ttlSecondsAfterFinished');
    assert.ok(!allows('', 'secrets', 'get'), 'the Jobs read the dbcreds Secrets, the agent never does');
  });
});

describe('simulated commons', () => {
  const ctx: ExecContext = { progress: () => undefined, signal: new AbortController().signal };
  const cmd = (kind: string, target: Record<string, unknown>): CommandSpec => ({ id: `c-${kind}`, kind, service: '', target, deadlineMs: Date.now() + 60_000, createdAtMs: Date.now() });

  it('answers backup with a size per database and restores only a dump it made', async () => {
    const [backup, restore] = simBackupExecutors({ namespace: 'gen3' });
    await assert.rejects(restore.execute(cmd('restore', { backupId: ID, service: 'fence' }), ctx), /no dump/);
    const r = await backup.execute(cmd('backup', { backupId: ID, databases: ['fence', 'indexd'] }), ctx);
    const result = r.result as { location: string; databases: { service: string; bytes: number }[] };
    assert.equal(result.location, `pvc://dcoc-backups/${ID}/`);
    assert.deepEqual(result.databases.map((d) => d.service), ['fence', 'indexd']);
    assert.ok(result.databases.every((d) => d.bytes > 0));
    const again = await restore.execute(cmd('restore', { backupId: ID, service: 'fence' }), ctx);
    assert.equal((again.result as { secret: string }).secret, 'fence-dbcreds');
    await assert.rejects(backup.execute(cmd('backup', { backupId: 'yesterday', databases: ['fence'] }), ctx), /target.backupId/);
  });
});
