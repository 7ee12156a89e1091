// `dcoc-control backup` while agents report and an operator issues commands,
// then `restore` into a fresh data directory (or an empty database): every
// command acknowledged before the backup, every config revision and audit
// entry is there, and the agents reconnect with the certificates they have
// (no new enrollment). Then what restore refuses, leaving the target as it was.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { AgentView, AuditEntry, CommandView, CommonsDetail, ConfigRevisionView } from '../../contracts/api';
import { type CommonsSpec, DEMO_COMMONS, ROOT, startControl, stopProc } from '../../scripts/demo/processes';
import { type TestFleet as Fleet, TestFleet, eventually } from '../support/fleet';
import { type TestDatabase, createTestDatabase, skipWithoutPostgres } from '../support/postgres';

const FINAL = ['succeeded', 'failed', 'expired', 'cancelled'];
const COMMONS: CommonsSpec[] = [DEMO_COMMONS[1], DEMO_COMMONS[2]];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `dcoc-control backup|restore ...` as the operator runs it: a process of its own with the service's settings. */
function dcocControl(args: string[], env: { DCOC_DATA_DIR: string; DCOC_DATABASE_URL?: string; DCOC_CA_CERT_FILE?: string; DCOC_CA_KEY_FILE?: string }): Promise<Run> {
  const base = { ...process.env };
  for (const k of ['DCOC_DATABASE_URL', 'DCOC_CA_CERT_FILE', 'DCOC_CA_KEY_FILE']) delete base[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'backend/main.ts', ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const emptyOrAbsent = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

/** What the fleet holds at one moment, through the API. */
async function snapshot(fleet: Fleet, commandIds: string[]) {
  const agents = (await fleet.admin<{ items: AgentView[] }>('GET', '/api/v1/agents')).body.items;
  const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=1000')).body.items;
  const commands = await Promise.all(commandIds.map(async (id) => (await fleet.admin<CommandView>('GET', `/api/v1/commands/${id}`)).body));
  const revisions: Record<string, ConfigRevisionView[]> = {};
  for (const id of ['data-midrc-org', 'healdata-org']) revisions[id] = (await fleet.admin<{ items: ConfigRevisionView[] }>('GET', `/api/v1/commons/${id}/config/revisions`)).body.items;
  return { agents, audit, commands, revisions };
}

/**
 * The scenario on one engine: load, a backup in the middle of it, everything
 * stopped, a restore into `target`, the service started on it, the agents
 * restarted with their own data directories. Returns what the checks need.
 */
async function backupUnderLoadAndRestore(opts: {
  fleet: Fleet;
  backupDir: string;
  source: { DCOC_DATABASE_URL?: string };
  target: { DCOC_DATA_DIR: string; DCOC_DATABASE_URL?: string };
  diagnostic: (msg: string) => void;
}) {
  const { fleet } = opts;
  await fleet.healthyCommons(COMMONS.length);
  const operator = await fleet.tokenFor('operator');
  const admin = await fleet.tokenFor('admin');

  // A config change on each commons: config revisions and their audit entries.
  for (const id of ['data-midrc-org', 'healdata-org']) {
    const { revision, data } = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${id}`)).body.config;
    const r = await fleet.api(admin, 'PUT', `/api/v1/commons/${id}/config`, { data: { ...data, maintenance_mode: 'on' }, baseRevision: revision, reason: 'before the backup' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
  }

  // SQLite: a long read (another tool reading the store) is open through the load, so SQLite cannot
  // checkpoint what is written meanwhile into the database file: it stays in the WAL, and a backup
  // that copied the database file alone would miss it (without this, autocheckpoints hide that).
  const reader = opts.source.DCOC_DATABASE_URL ? null : new Sqlite(join(fleet.control.opts.dataDir, 'dcoc.sqlite'), { readonly: true });
  reader?.exec('begin');
  reader?.prepare('select count(*) from commands').get();

  // The load: restarts and scales round the services, until told to stop.
  const services: Record<string, string[]> = {};
  for (const id of ['data-midrc-org', 'healdata-org']) services[id] = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${id}`)).body.services.map((s) => s.name);
  const acked: string[] = [];
  let stop = false;
  const load = (async () => {
    for (let i = 0; !stop; i++) {
      const id = i % 2 ? 'healdata-org' : 'data-midrc-org';
      const svc = services[id][Math.floor(i / 2) % services[id].length];
      const scale = i % 3 === 2;
      const r = await fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${id}/services/${svc}/${scale ? 'scale' : 'restart'}`, scale ? { replicas: 1 + (i % 3) } : undefined);
      if (r.status === 202) acked.push(r.body.command.id);
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  await eventually(() => acked.length >= 8, { what: 'the first commands to be acknowledged' });

  // Everything acknowledged so far was committed before the backup starts.
  const before = await snapshot(fleet, [...acked]);
  const ackedBefore = acked.length;
  const result = await dcocControl(['backup', '--out', opts.backupDir], { DCOC_DATA_DIR: fleet.control.opts.dataDir, ...opts.source });
  const ackedDuring = acked.length - ackedBefore;
  stop = true;
  await load;
  reader?.exec('commit');
  reader?.close();
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), opts.backupDir);
  opts.diagnostic(`${ackedBefore} commands acknowledged before the backup, ${ackedDuring} while it ran`);

  // The backup's layout: private directory and files, a manifest with checksums.
  assert.equal(statSync(opts.backupDir).mode & 0o777, 0o700);
  for (const f of ['pki/ca.key.pem', 'pki/ca.crt.pem', 'manifest.json']) assert.equal(statSync(join(opts.backupDir, f)).mode & 0o777, 0o600, f);
  const manifest = JSON.parse(readFileSync(join(opts.backupDir, 'manifest.json'), 'utf8')) as { engine: string; migrations: string[]; files: { path: string; sha256: string }[] };
  assert.ok(manifest.migrations.length > 0);
  for (const f of manifest.files) assert.equal(sha(join(opts.backupDir, f.path)), f.sha256, f.path);

  // Everything stops; the restore goes into a fresh data directory.
  await Promise.all(fleet.agents.map((a) => stopProc(a)));
  await stopProc(fleet.control);
  const restored = await dcocControl(['restore', '--from', opts.backupDir], opts.target);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stderr, /agents reconnect with the certificates they have/);
  assert.equal(statSync(join(opts.target.DCOC_DATA_DIR, 'pki', 'ca.key.pem')).mode & 0o777, 0o600);

  // The service on the restored store, on the same ports; the agents with the data directories they had.
  const env = { ...fleet.control.opts.env };
  delete env.DCOC_DATABASE_URL;
  if (opts.target.DCOC_DATABASE_URL) env.DCOC_DATABASE_URL = opts.target.DCOC_DATABASE_URL;
  fleet.control = await startControl({ ...fleet.control.opts, dataDir: opts.target.DCOC_DATA_DIR, env });
  for (const spec of COMMONS) await fleet.restartAgent(spec.hostname);
  return { before, operator };
}

/** Every check of "nothing acknowledged was lost, and the agents are the same ones". */
async function assertRestored(fleet: Fleet, before: Awaited<ReturnType<typeof snapshot>>, operator: string) {
  // The same agents, connected, with no enrollment since.
  const agents = await eventually(
    async () => {
      const items = (await fleet.admin<{ items: AgentView[] }>('GET', '/api/v1/agents')).body.items;
      return items.length === before.agents.length && items.every((a) => a.connected) && items;
    },
    { what: 'the restored agents to reconnect', timeoutMs: 60_000 },
  );
  assert.deepEqual(agents.map((a) => a.id).sort(), before.agents.map((a) => a.id).sort());
  await fleet.healthyCommons(COMMONS.length);

  // Every audit entry, as it was (the result of an accepted command may have moved on).
  const audit = new Map((await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=1000')).body.items.map((e) => [e.id, e]));
  for (const e of before.audit) {
    const now = audit.get(e.id);
    assert.ok(now, `audit entry ${e.id} (${e.action}) is missing`);
    assert.deepEqual({ ...now, result: null }, { ...e, result: null });
  }
  const enrollments = (entries: Iterable<AuditEntry>) => [...entries].filter((e) => e.action === 'agent.enroll').length;
  assert.equal(enrollments(audit.values()), enrollments(before.audit), 'no agent enrolled again');

  // Every config revision.
  for (const [id, revs] of Object.entries(before.revisions)) {
    const now = new Map((await fleet.admin<{ items: ConfigRevisionView[] }>('GET', `/api/v1/commons/${id}/config/revisions`)).body.items.map((r) => [r.revision, r]));
    for (const r of revs) {
      const got = now.get(r.revision);
      assert.ok(got, `config revision ${r.revision} of ${id} is missing`);
      assert.deepEqual({ ...got, state: '' }, { ...r, state: '' });
    }
  }

  // Every acknowledged command: there, the same command, and it reaches a final state;
  // one already final at the backup has the same outcome.
  const done = await eventually(
    async () => {
      const cs = await Promise.all(before.commands.map(async (c) => (await fleet.admin<CommandView>('GET', `/api/v1/commands/${c.id}`)).body));
      return cs.every((c) => FINAL.includes(c.state)) && cs;
    },
    { what: 'every acknowledged command to finish', timeoutMs: 90_000 },
  );
  for (const [i, was] of before.commands.entries()) {
    const now = done[i];
    assert.deepEqual([now.id, now.kind, now.commons, now.service, now.actor, now.createdAt], [was.id, was.kind, was.commons, was.service, was.actor, was.createdAt]);
    if (FINAL.includes(was.state)) assert.equal(now.state, was.state, `command ${was.id}`);
  }

  // The operator's API token was restored too, and the restored service takes commands.
  const again = await fleet.api<{ command: { id: string } }>(operator, 'POST', '/api/v1/commons/healdata-org/services/portal/restart');
  assert.equal(again.status, 202, JSON.stringify(again.body));
}

describe('backup under load and restore (sqlite)', () => {
  let fleet: TestFleet;
  let backupDir: string;
  let target: string;

  before(async () => {
    fleet = await TestFleet.start({ commons: COMMONS });
    backupDir = join(fleet.dir, 'backup-1');
    target = join(fleet.dir, 'restored');
  });
  after(() => fleet.stop());

  it('keeps every acknowledged command, revision and audit entry, and the agents reconnect without enrolling again', async (t) => {
    const { before: was, operator } = await backupUnderLoadAndRestore({ fleet, backupDir, source: {}, target: { DCOC_DATA_DIR: target }, diagnostic: (m) => t.diagnostic(m) });
    await assertRestored(fleet, was, operator);
  });

  it('refuses to restore into a data directory a running control service holds, and leaves it alone', async () => {
    const r = await dcocControl(['restore', '--from', backupDir, '--force'], { DCOC_DATA_DIR: target });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`another control service \\(pid ${fleet.control.child.pid}\\) is using the data directory .*: stop it before restoring \\(nothing was changed\\)`));
    assert.equal(readFileSync(join(target, 'dcoc.lock'), 'utf8').trim(), String(fleet.control.child.pid));
    assert.equal((await fleet.admin('GET', '/api/v1/agents')).status, 200);
  });

  it('refuses a data directory that already holds a store, unless --force', async () => {
    const dir = join(fleet.dir, 'occupied');
    assert.equal((await dcocControl(['restore', '--from', backupDir], { DCOC_DATA_DIR: dir })).code, 0);
    writeFileSync(join(dir, 'pki', 'ca.key.pem'), 'not the key\n'); // changed after the first restore: a second restore must not touch it
    const hash = sha(join(dir, 'dcoc.sqlite'));
    const r = await dcocControl(['restore', '--from', backupDir], { DCOC_DATA_DIR: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already holds a store \(dcoc\.sqlite\) and a different CA \(pki\/\).*add --force to replace it \(nothing was changed\)/);
    assert.equal(sha(join(dir, 'dcoc.sqlite')), hash);
    assert.equal(readFileSync(join(dir, 'pki', 'ca.key.pem'), 'utf8'), 'not the key\n');
    assert.ok(!existsSync(join(dir, 'dcoc.lock')));
    const forced = await dcocControl(['restore', '--from', backupDir, '--force'], { DCOC_DATA_DIR: dir });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readFileSync(join(dir, 'pki', 'ca.key.pem'), 'utf8'), readFileSync(join(backupDir, 'pki', 'ca.key.pem'), 'utf8'));
  });

  /** A copy of the backup to spoil, and an empty target for it. */
  const spoiled = (name: string, spoil: (dir: string) => void) => {
    const dir = join(fleet.dir, `backup-${name}`);
    cpSync(backupDir, dir, { recursive: true });
    spoil(dir);
    return { from: dir, target: join(fleet.dir, `target-${name}`) };
  };
  const editManifest = (dir: string, edit: (m: { migrations: string[]; ca: { key: boolean }; files: { path: string; sha256: string; bytes: number }[] }) => void) => {
    const file = join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof edit>[0];
    edit(m);
    writeFileSync(file, JSON.stringify(m));
  };

  it('refuses a backup whose file does not match its checksum', async () => {
    const { from, target: t } = spoiled('tampered', (dir) => {
      const f = join(dir, 'pki', 'ca.crt.pem');
      writeFileSync(f, readFileSync(f, 'utf8').replace('MII', 'MIJ'));
    });
    const r = await dcocControl(['restore', '--from', from], { DCOC_DATA_DIR: t });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pki\/ca\.crt\.pem in .* does not match its checksum in the manifest .*use another backup \(nothing was changed\)/);
    assert.ok(emptyOrAbsent(t));
  });

  it('refuses a backup whose schema is newer than this build, from the manifest or from the copy itself', async () => {
    const newer = spoiled('newer', (dir) => editManifest(dir, (m) => m.migrations.push('9999_from_the_future')));
    const r = await dcocControl(['restore', '--from', newer.from], { DCOC_DATA_DIR: newer.target });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the backup has migrations this dcoc-control does not know \(9999_from_the_future; this build's latest is \d{4}_\w+\).*Restore it with that version or newer \(nothing was changed\)/);
    assert.ok(emptyOrAbsent(newer.target));

    // The manifest says nothing of it, the copy has it (checksum brought in line): refused all the same.
    const copy = spoiled('newer-copy', (dir) => {
      const db = new Sqlite(join(dir, 'dcoc.sqlite'));
      db.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999_from_the_future', new Date().toISOString());
      db.close();
      const f = join(dir, 'dcoc.sqlite');
      editManifest(dir, (m) => Object.assign(m.files.find((x) => x.path === 'dcoc.sqlite')!, { sha256: sha(f), bytes: statSync(f).size }));
    });
    const r2 = await dcocControl(['restore', '--from', copy.from], { DCOC_DATA_DIR: copy.target });
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /the backup's store copy has migrations this dcoc-control does not know \(9999_from_the_future/);
    assert.ok(emptyOrAbsent(copy.target));
  });

  it('refuses a backup without the CA key unless --without-ca, saying what is lost', async () => {
    const { from, target: t } = spoiled('no-ca-key', (dir) => {
      rmSync(join(dir, 'pki', 'ca.key.pem'));
      editManifest(dir, (m) => {
        m.ca.key = false;
        m.files = m.files.filter((f) => f.path !== 'pki/ca.key.pem');
      });
    });
    const r = await dcocControl(['restore', '--from', from], { DCOC_DATA_DIR: t });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no CA key .*every agent must enroll again .*the Grafana plugin is unaffected.*run again with --without-ca/);
    assert.ok(emptyOrAbsent(t));

    const r2 = await dcocControl(['restore', '--from', from, '--without-ca'], { DCOC_DATA_DIR: t });
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stderr, /WARNING: restored without the backup's CA/);
    assert.ok(existsSync(join(t, 'dcoc.sqlite')));
    assert.ok(!existsSync(join(t, 'pki', 'ca.key.pem')));
  });

  it('with the CA in files of the operator (DCOC_CA_*_FILE), never writes it: says where the backup\'s goes, or that it is already there', async () => {
    const t = join(fleet.dir, 'target-ca-files');
    const elsewhere = { DCOC_CA_CERT_FILE: join(fleet.dir, 'secret', 'tls.crt'), DCOC_CA_KEY_FILE: join(fleet.dir, 'secret', 'tls.key') };
    const r = await dcocControl(['restore', '--from', backupDir], { DCOC_DATA_DIR: t, ...elsewhere });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /NEXT: the CA DCOC_CA_CERT_FILE\/DCOC_CA_KEY_FILE name is not there\. Put the backup's .*pki\/ca\.crt\.pem and .*pki\/ca\.key\.pem there before starting the service/);
    assert.ok(!existsSync(join(t, 'pki')) && !existsSync(elsewhere.DCOC_CA_KEY_FILE));
    const same = await dcocControl(['restore', '--from', backupDir], { DCOC_DATA_DIR: join(fleet.dir, 'target-ca-same'), DCOC_CA_CERT_FILE: join(backupDir, 'pki', 'ca.crt.pem'), DCOC_CA_KEY_FILE: join(backupDir, 'pki', 'ca.key.pem') });
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stderr, /the CA at DCOC_CA_CERT_FILE is the backup's: agents keep their certificates/);
  });

  it('refuses a backup of the other engine', async () => {
    const t = join(fleet.dir, 'target-engine');
    const r = await dcocControl(['restore', '--from', backupDir], { DCOC_DATA_DIR: t, DCOC_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the backup is of a sqlite store and these settings use postgres .*restoring across engines is not supported/);
    assert.ok(emptyOrAbsent(t));
  });

  it('answers usage errors with exit code 2 and --help with 0', async () => {
    const none = await dcocControl(['restore'], { DCOC_DATA_DIR: target });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--from DIR is required/);
    assert.equal((await dcocControl(['backup', '--outt', 'x'], { DCOC_DATA_DIR: target })).code, 2);
    const help = await dcocControl(['backup', '--help'], { DCOC_DATA_DIR: target });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: dcoc-control backup --out DIR/);
    const taken = await dcocControl(['backup', '--out', backupDir], { DCOC_DATA_DIR: target });
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already exists and is not an empty directory/);
  });
});

describe('backup under load and restore (postgres)', { skip: await skipWithoutPostgres() }, () => {
  let fleet: TestFleet;
  let source: TestDatabase;
  let empty: TestDatabase;
  let backupDir: string;

  before(async () => {
    source = await createTestDatabase('backup_src');
    empty = await createTestDatabase('backup_dst');
    fleet = await TestFleet.start({ commons: COMMONS, controlEnv: { DCOC_DATABASE_URL: source.url } });
    backupDir = join(fleet.dir, 'backup-pg');
  });
  after(async () => {
    await fleet?.stop();
    await source?.drop();
    await empty?.drop();
  });

  const count = async (url: string, table: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return Number((await c.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0].n);
    } finally {
      await c.end();
    }
  };

  it('keeps every acknowledged command, revision and audit entry, and the agents reconnect without enrolling again', async (t) => {
    const target = { DCOC_DATA_DIR: join(fleet.dir, 'restored'), DCOC_DATABASE_URL: empty.url };
    const { before: was, operator } = await backupUnderLoadAndRestore({ fleet, backupDir, source: { DCOC_DATABASE_URL: source.url }, target, diagnostic: (m) => t.diagnostic(m) });
    assert.ok(existsSync(join(backupDir, 'dcoc.pgdump')));
    await assertRestored(fleet, was, operator);
  });

  it('refuses while a control service is connected to the database, and a database with tables unless --force', async () => {
    const target = { DCOC_DATA_DIR: join(fleet.dir, 'restored'), DCOC_DATABASE_URL: empty.url };
    const running = await dcocControl(['restore', '--from', backupDir, '--force'], target);
    assert.equal(running.code, 1);
    assert.match(running.stderr, /control service connection\(s\) are open on postgres:\/\/dcoc_test@.*stop every replica/);
    assert.doesNotMatch(running.stderr + running.stdout, /dcoc_test:dcoc_test/, 'no password in the output');

    await stopProc(fleet.control);
    const commands = await count(empty.url, 'commands');
    const tables = await dcocControl(['restore', '--from', backupDir], target);
    assert.equal(tables.code, 1);
    assert.match(tables.stderr, /already has tables \(.*\); restore into an empty database .*or add --force/);
    assert.equal(await count(empty.url, 'commands'), commands);

    const forced = await dcocControl(['restore', '--from', backupDir, '--force'], target);
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok((await count(empty.url, 'commands')) < commands, 'the restored commands are the backup\'s (the restart after the restore is gone)');
  });
});
