// The CronJobs a commons really has, end to end with a
// simulated commons: its agent reports the CronJobs gen3-helm renders for it
// (not a fixed list with usersync, which the chart leaves off by default),
// GET /commons/{id}/jobs lists them with their last runs, and a run of one the
// commons does not have is refused (404 naming path.cronjob, audited) before
// any command is queued.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommandView, CommonsJobs, Problem } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, TestFleet, eventually } from '../support/fleet';

const ID = 'data-midrc-org';

/**
 * What gen3-helm 42cc46bc renders with its default values for MIDRC's charts
 * (`helm template gen3 helm/gen3`): helm/arborist/templates/arborist-expired-access-cronjob.yaml,
 * helm/etl/templates/{es-garbage-collect-cronjob,etl-job}.yaml,
 * helm/fence/templates/{fence-db-migrate-job,fence-delete-expired-clients-cron}.yaml,
 * helm/hatchery/templates/hatchery-reaper-cronjob.yaml and
 * helm/indexd/templates/migrate-to-single-table.yaml. Not usersync
 * (helm/fence/templates/usersync-cron.yaml needs usersync.usersync, false by default).
 */
const CHART_CRONJOBS = ['arborist-rm-expired-access', 'es-garbage', 'etl-cronjob', 'fence-db-migrate-cronjob', 'fence-delete-expired-clients', 'hatchery-reaper', 'migrate-to-single-table-indexd'];

describe('the CronJobs of a commons', () => {
  let fleet: TestFleet;
  let operator: string;
  let viewer: string;
  const commands = async () => (await fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}`)).body.items;

  before(async () => {
    fleet = await TestFleet.start({ commons: [DEMO_COMMONS[1]] });
    await fleet.healthyCommons(1);
    operator = await fleet.tokenFor('operator');
    viewer = await fleet.tokenFor('viewer');
  });
  after(() => fleet.stop());

  it('are listed as the chart renders them, with schedule, suspend and last run, to anyone who may read the fleet', async () => {
    const r = await fleet.api<CommonsJobs>(viewer, 'GET', `/api/v1/commons/${ID}/jobs`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.reported, true);
    assert.deepEqual(r.body.items.map((j) => j.name), CHART_CRONJOBS);
    const byName = Object.fromEntries(r.body.items.map((j) => [j.name, j]));
    assert.deepEqual([byName['etl-cronjob'].suspended, byName['fence-db-migrate-cronjob'].suspended, byName['hatchery-reaper'].suspended], [true, true, false]);
    assert.equal(byName['fence-db-migrate-cronjob'].schedule, '0 0 31 2 *');
    assert.equal(byName['fence-db-migrate-cronjob'].lastRun, null, 'Feb 31st and suspended: never ran');
    // Every five minutes: it ran on schedule within the last five.
    const every5 = byName['arborist-rm-expired-access'];
    assert.equal(every5.lastRun?.manual, false);
    assert.ok(Date.now() - Date.parse(every5.lastScheduleTime!) <= 5 * 60_000 + 5_000, every5.lastScheduleTime!);
  });

  it('GET for a commons that does not exist is a 404 problem; without a credential 401', async () => {
    const res = await fetch(`${fleet.control.url}/api/v1/commons/no-such-commons/jobs`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.match(((await res.json()) as Problem).detail, /commons no-such-commons does not exist/);
    assert.equal((await fleet.api(null, 'GET', `/api/v1/commons/${ID}/jobs`)).status, 401);
  });

  it('running one the commons does not have (usersync) is refused naming path.cronjob and listing those it has; nothing is queued; the refusal is audited', async () => {
    const before = (await commands()).length;
    const res = await fetch(`${fleet.control.url}/api/v1/commons/${ID}/jobs/usersync/run`, { method: 'POST', headers: { Authorization: `Bearer ${operator}` } });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const p = (await res.json()) as Problem;
    assert.deepEqual(p.errors?.map((e) => e.field), ['path.cronjob']);
    for (const name of CHART_CRONJOBS) assert.match(p.errors![0].message, new RegExp(name), 'it lists the CronJobs the commons has');
    assert.match(p.detail, /has no CronJob usersync/);
    assert.equal((await commands()).length, before, 'no command was queued');
    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=100')).body.items;
    const row = audit.find((e) => e.outcome === 'rejected' && e.action === 'POST /api/v1/commons/:id/jobs/:cronjob/run');
    assert.ok(row, JSON.stringify(audit.slice(0, 5)));
    assert.equal(row.actor, 'token:test-operator');
    assert.match(String(row.detail.reason), /data-midrc-org has no CronJob usersync/);
    assert.deepEqual([row.detail.status, row.detail.fields], [404, ['path.cronjob']]);
  });

  it('a run of one it has is queued, and shows as the CronJob\'s last run, by hand, until it succeeds', async () => {
    const r = await fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${ID}/jobs/fence-db-migrate-cronjob/run`);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const job = `fence-db-migrate-cronjob-dcoc-${r.body.command.id.replace(/-/g, '').slice(0, 10)}`;
    const run = await eventually(
      async () => {
        const jobs = (await fleet.api<CommonsJobs>(viewer, 'GET', `/api/v1/commons/${ID}/jobs`)).body;
        const last = jobs.items.find((j) => j.name === 'fence-db-migrate-cronjob')?.lastRun;
        return last?.name === job && last.result === 'succeeded' && last;
      },
      { what: `job ${job} to be reported succeeded` },
    );
    assert.equal(run.manual, true);
    assert.ok(run.startedAt && run.finishedAt && run.finishedAt >= run.startedAt);
  });
});
