// CronJobs: DCOC lists the CronJobs a commons really
// has instead of a fixed set in which usersync, off by default in gen3-helm,
// always appeared. The gen3-helm facts, the simulator that follows them, the
// Kubernetes mapping of CronJobs and their Jobs, the agent's change tracking
// and the gateway's bounds on what an agent reports.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import { Observations } from '../../agent/core/observations';
import { DEFAULT_ENABLED } from '../../contracts/gen3/catalog';
import { cronFiresAt, lastFireTime, renderedCronJobs } from '../../agent/gen3/cronjobs';
import type { CronJobFacts, JobRunFacts } from '../../agent/core/types';
import { cronJobFacts } from '../../agent/kubernetes/workloads';
import { toCronJobListMsg } from '../../agent/protocol/cronjob-msg';
import { SIM_JOB_HISTORY, SimCommons, simCronJobs } from '../../agent/simulate/model';
import { SimPlatform } from '../../agent/simulate/sim-platform';
import { runDurationSeconds, withDurations } from '../../backend/fleet/job-runs';
import { MAX_CRONJOBS, MAX_REASON, reportedCronJobs } from '../../backend/gateway/cronjob-report';
import type { CronJobStateMsg, JobRunMsg } from '../../contracts/agent-messages';
import { JOB_RUNS_MAX } from '../../contracts/api';

/**
 * What `helm template gen3 helm/gen3` renders with the default values at
 * uc-cdis/gen3-helm 42cc46bc (the dev-only remote dependencies dropped):
 * exactly these CronJobs, from
 *   helm/arborist/templates/arborist-expired-access-cronjob.yaml (cronjob.enabled: true),
 *   helm/etl/templates/es-garbage-collect-cronjob.yaml (esGarbageCollect.enabled: true),
 *   helm/etl/templates/etl-job.yaml (suspendCronjob: true),
 *   helm/fence/templates/fence-db-migrate-job.yaml (suspend: true, "0 0 31 2 *"),
 *   helm/fence/templates/fence-delete-expired-clients-cron.yaml,
 *   helm/hatchery/templates/hatchery-reaper-cronjob.yaml (helm/gen3/values.yaml hatchery.hatchery.reaper),
 *   helm/indexd/templates/migrate-to-single-table.yaml ("0 0 31 2 *", no suspend).
 * No usersync: helm/fence/values.yaml and helm/gen3/values.yaml set
 * fence.usersync.usersync: false, and helm/fence/templates/useryaml-job.yaml
 * runs the one-shot Job `useryaml` instead.
 */
const HELM_DEFAULT_CRONJOBS: [name: string, schedule: string, suspend: boolean][] = [
  ['arborist-rm-expired-access', '*/5 * * * *', false],
  ['es-garbage', '0 0 * * *', false],
  ['etl-cronjob', '*/30 * * * *', true],
  ['fence-db-migrate-cronjob', '0 0 31 2 *', true],
  ['fence-delete-expired-clients', '*/5 * * * *', false],
  ['hatchery-reaper', '*/15 * * * *', false],
  ['migrate-to-single-table-indexd', '0 0 31 2 *', false],
];

describe('gen3-helm CronJobs (42cc46bc)', () => {
  it('the default values render the seven CronJobs helm template renders, with their schedules and suspend; not usersync', () => {
    const charts = DEFAULT_ENABLED.map((s) => (s === 'presigned-url-fence' ? 'fence' : s));
    const got = renderedCronJobs(charts).map((c) => [c.name, c.schedule, c.suspend]);
    assert.deepEqual(got.sort(), HELM_DEFAULT_CRONJOBS);
    assert.deepEqual(simCronJobs(DEFAULT_ENABLED).map((c) => c.name).sort(), HELM_DEFAULT_CRONJOBS.map(([n]) => n));
  });

  it('each optional one renders only with its value on (helm/fence/templates/usersync-cron.yaml: usersync.usersync; helm/metadata/templates/agg-mds-sync.yaml: useAggMds)', () => {
    const names = (values: Record<string, boolean>) => simCronJobs(DEFAULT_ENABLED, values).map((c) => c.name);
    assert.ok(names({ 'fence.usersync.usersync': true }).includes('usersync'));
    assert.ok(!names({}).includes('usersync'));
    const mds = simCronJobs(DEFAULT_ENABLED, { 'metadata.useAggMds': true }).find((c) => c.name === 'metadata-aggregate-sync');
    assert.deepEqual(mds && [mds.schedule, mds.suspend], ['0 0 1 1 */5', true]);
    // A chart switched off takes its CronJobs with it; etl renders no Deployment but is on in helm/gen3/values.yaml.
    assert.ok(!names({ 'etl.enabled': false }).includes('etl-cronjob'));
    assert.deepEqual(simCronJobs(['revproxy', 'portal']).map((c) => c.name).sort(), ['es-garbage', 'etl-cronjob']);
  });

  it('schedules fire when cron would fire them; Feb 31st never', () => {
    assert.ok(cronFiresAt('*/5 * * * *', new Date('2026-11-24T07:05:00Z')));
    assert.ok(!cronFiresAt('*/5 * * * *', new Date('2026-11-24T07:06:00Z')));
    assert.ok(cronFiresAt('30 * * * *', new Date('2026-11-24T07:30:00Z')));
    assert.ok(cronFiresAt('0 8,15 * * *', new Date('2026-11-24T15:00:00Z')));
    assert.equal(lastFireTime('0 0 31 2 *', Date.parse('2026-03-01T00:00:00Z')), null);
    assert.equal(lastFireTime('*/15 * * * *', Date.parse('2026-11-24T07:14:59Z'))?.toISOString(), '2026-11-24T07:00:00.000Z');
  });
});

describe('the simulated commons', () => {
  const sim = (o: Partial<ConstructorParameters<typeof SimCommons>[0]> = {}) =>
    new SimCommons({ hostname: 'data.example.org', environment: 'ex', name: 'Example', namespace: 'ex', release: '2026.07', podStartMs: 20, ...o });

  it('has the CronJobs the chart renders for its services, each with its last scheduled run; usersync only when enabled', () => {
    const s = sim();
    const jobs = s.cronjobs();
    assert.deepEqual(jobs.map((j) => j.name), HELM_DEFAULT_CRONJOBS.map(([n]) => n));
    const every5 = jobs.find((j) => j.name === 'fence-delete-expired-clients')!;
    assert.equal(every5.lastRun?.result, 'succeeded');
    assert.equal(every5.lastRun?.manual, false);
    assert.match(every5.lastRun!.name, /^fence-delete-expired-clients-\d+$/);
    assert.equal(every5.lastScheduleTime, every5.lastRun?.startedAt);
    // Suspended, or Feb 31st: never ran.
    for (const n of ['etl-cronjob', 'fence-db-migrate-cronjob', 'migrate-to-single-table-indexd']) assert.equal(jobs.find((j) => j.name === n)!.lastRun, null, n);
    assert.equal(s.runJob('usersync', 'usersync-dcoc-1'), undefined);
    assert.ok(sim({ cronJobValues: { 'fence.usersync.usersync': true } }).cronjobNames().includes('usersync'));
  });

  it('a run by hand is the last run, running and then succeeded; asked again it starts nothing; it survives a restart', () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'dcoc-sim-')), 'state.json');
    const s = sim({ stateFile });
    const first = s.runJob('fence-db-migrate-cronjob', 'fence-db-migrate-cronjob-dcoc-abc');
    assert.equal(first?.started, true);
    assert.equal(s.runJob('fence-db-migrate-cronjob', 'fence-db-migrate-cronjob-dcoc-abc')?.started, false);
    // Looked at just before and at its completion (not after a sleep: a loaded machine would make "just after" late).
    const running = s.cronjobs(first!.completesAt - 1).find((j) => j.name === 'fence-db-migrate-cronjob')!;
    assert.deepEqual([running.lastRun?.name, running.lastRun?.result, running.lastRun?.manual, running.lastScheduleTime], ['fence-db-migrate-cronjob-dcoc-abc', 'running', true, null]);
    const done = s.cronjobs(first!.completesAt).find((j) => j.name === 'fence-db-migrate-cronjob')!;
    assert.equal(done.lastRun?.result, 'succeeded');
    assert.ok(done.lastRun?.finishedAt && done.lastSuccessfulTime === done.lastRun.finishedAt);
    const again = sim({ stateFile });
    assert.deepEqual(again.cronjobs().find((j) => j.name === 'fence-db-migrate-cronjob')?.lastRun?.name, 'fence-db-migrate-cronjob-dcoc-abc');
    assert.equal(again.runJob('fence-db-migrate-cronjob', 'fence-db-migrate-cronjob-dcoc-abc')?.started, false);
  });
});

describe('the simulated commons keeps each CronJob\'s recent Jobs', () => {
  const sim = (o: Partial<ConstructorParameters<typeof SimCommons>[0]> = {}) =>
    new SimCommons({ hostname: 'data.example.org', environment: 'ex', name: 'Example', namespace: 'ex', release: '2026.07', podStartMs: 20, ...o });
  const of = (s: SimCommons, name: string) => s.cronjobs().find((c) => c.name === name)!;

  it('starts with the last few scheduled runs, newest first, each named by its minute as the CronJob controller names them', () => {
    const c = of(sim(), 'fence-delete-expired-clients');
    const runs = c.recentRuns!;
    assert.equal(runs.length, 3);
    assert.deepEqual(c.lastRun, runs[0]);
    const minutes = runs.map((r) => Number(/-(\d+)$/.exec(r.name)![1]));
    // Every five minutes: consecutive fire times, newest first.
    assert.deepEqual(minutes.slice(1), [minutes[0] - 5, minutes[0] - 10]);
    for (const r of runs) {
      assert.equal(r.startedAt, new Date(Number(/-(\d+)$/.exec(r.name)![1]) * 60_000).toISOString());
      assert.equal(r.manual, false);
    }
    for (const r of runs.slice(1)) assert.deepEqual([r.result, Date.parse(r.finishedAt!) - Date.parse(r.startedAt!)], ['succeeded', 30_000]);
    assert.equal(c.lastScheduleTime, runs[0].startedAt);
    // Never ran: no runs at all.
    assert.deepEqual(of(sim(), 'etl-cronjob').recentRuns, []);
  });

  it('every recent run has its Job\'s pod and logs, as the "Logs" link of each run asks for them', async () => {
    const p = new SimPlatform({ hostname: 'data.example.org', environment: 'ex', name: 'Example', namespace: 'ex', release: '2026.07', services: ['hatchery'], replicas: { hatchery: 1 }, podStartMs: 0, tickMs: 60_000 });
    const runs = of(p.sim, 'hatchery-reaper').recentRuns!;
    assert.equal(runs.length, 3);
    for (const r of runs) {
      let pods: string[] = [];
      let lines = 0;
      await p.inspector.logs!.streamLogs({ job: r.name, previous: false, follow: false, sinceMs: null, tailLines: null }, { lines: (b) => (lines += b.length), pods: (n) => (pods = n) }, new AbortController().signal);
      assert.deepEqual([pods.length, pods[0]?.startsWith(`${r.name}-`)], [1, true], r.name);
      assert.ok(lines > 0, `${r.name} logged`);
    }
  });

  it(`keeps at most ${SIM_JOB_HISTORY}, newest first; a run by hand goes first; they survive a restart; a state file from before keeps its last run`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-sim-'));
    const stateFile = join(dir, 'state.json');
    const s = sim({ stateFile });
    const names = Array.from({ length: SIM_JOB_HISTORY + 2 }, (_, i) => `migrate-to-single-table-indexd-dcoc-${i}`);
    for (const n of names) assert.equal(s.runJob('migrate-to-single-table-indexd', n)?.started, true);
    const want = names.slice(-SIM_JOB_HISTORY).reverse();
    assert.deepEqual(of(s, 'migrate-to-single-table-indexd').recentRuns?.map((r) => r.name), want);
    assert.ok(of(s, 'migrate-to-single-table-indexd').recentRuns?.every((r) => r.manual));
    // The oldest one still kept is followed, not started again.
    assert.equal(s.runJob('migrate-to-single-table-indexd', want[SIM_JOB_HISTORY - 1])?.started, false);
    // Looked at once all have completed (each within 2 × podStartMs), whatever the machine's load.
    const later = Date.now() + 1000;
    const at = (x: SimCommons, name: string) => x.cronjobs(later).find((c) => c.name === name)!;
    const done = at(s, 'migrate-to-single-table-indexd').recentRuns!;
    assert.ok(done.every((r) => r.result === 'succeeded' && r.finishedAt), JSON.stringify(done));

    const again = sim({ stateFile });
    assert.deepEqual(at(again, 'migrate-to-single-table-indexd').recentRuns, done);
    assert.deepEqual(at(again, 'fence-delete-expired-clients').recentRuns, at(s, 'fence-delete-expired-clients').recentRuns);

    // A state file written before the simulator kept runs: its lastRun is the one run known.
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { cronjobs: Record<string, { runs?: unknown; lastRun: { name: string } }> };
    for (const c of Object.values(state.cronjobs)) delete c.runs;
    const older = join(dir, 'older.json');
    writeFileSync(older, JSON.stringify(state));
    assert.deepEqual(of(sim({ stateFile: older }), 'migrate-to-single-table-indexd').recentRuns?.map((r) => r.name), [want[0]]);
    // One the commons no longer keeps (as history limits remove Jobs) is a new run.
    assert.equal(again.runJob('migrate-to-single-table-indexd', names[0])?.started, true);
    assert.deepEqual(of(again, 'migrate-to-single-table-indexd').recentRuns?.map((r) => r.name), [names[0], ...want.slice(0, -1)]);
  });
});

describe('CronJobs and their Jobs on Kubernetes', () => {
  const cron = (name: string, uid: string, over: Partial<V1CronJob['spec']> = {}, status: V1CronJob['status'] = {}): V1CronJob => ({
    metadata: { name, uid },
    spec: { schedule: '*/5 * * * *', jobTemplate: {}, ...over },
    status,
  });
  const job = (name: string, owner: { name: string; uid?: string } | null, created: string, status: V1Job['status'] = {}, annotations?: Record<string, string>): V1Job => ({
    metadata: {
      name,
      // As client-node hands a listed object over: times as Dates.
      creationTimestamp: new Date(created),
      annotations,
      ownerReferences: owner ? [{ apiVersion: 'batch/v1', kind: 'CronJob', name: owner.name, uid: owner.uid ?? '', controller: true }] : undefined,
    },
    status,
  });

  it('each CronJob with the newest Job it owns, succeeded, failed (with why) or running', () => {
    const facts = cronJobFacts(
      [
        cron('fence-delete-expired-clients', 'u1', {}, { lastScheduleTime: new Date('2026-11-24T07:05:00Z'), lastSuccessfulTime: new Date('2026-11-24T07:05:09Z') }),
        cron('fence-db-migrate-cronjob', 'u2', { schedule: '0 0 31 2 *', suspend: true }),
        cron('hatchery-reaper', 'u3', { schedule: '*/15 * * * *' }),
        cron('etl-cronjob', 'u4', { suspend: true }),
      ],
      [
        job('fence-delete-expired-clients-29400420', { name: 'fence-delete-expired-clients', uid: 'u1' }, '2026-11-24T07:00:00Z', {
          startTime: new Date('2026-11-24T07:00:00Z'),
          completionTime: new Date('2026-11-24T07:00:08Z'),
          conditions: [{ type: 'Complete', status: 'True' }],
        }),
        job('fence-delete-expired-clients-29400425', { name: 'fence-delete-expired-clients', uid: 'u1' }, '2026-11-24T07:05:00Z', {
          startTime: new Date('2026-11-24T07:05:00Z'),
          completionTime: new Date('2026-11-24T07:05:09Z'),
          conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }],
        }),
        job(
          'fence-db-migrate-cronjob-dcoc-0123456789',
          { name: 'fence-db-migrate-cronjob', uid: 'u2' },
          '2026-11-24T06:00:00Z',
          { startTime: new Date('2026-11-24T06:00:00Z'), conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastTransitionTime: new Date('2026-11-24T06:01:00Z') }] },
          { 'cronjob.kubernetes.io/instantiate': 'manual' },
        ),
        // A watch event hands times over as strings.
        { ...job('hatchery-reaper-29400420', { name: 'hatchery-reaper', uid: 'u3' }, '2026-11-24T07:00:00Z', { active: 1 }), metadata: { name: 'hatchery-reaper-29400420', creationTimestamp: '2026-11-24T07:00:00Z' as never, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hatchery-reaper', uid: 'u3' }] } },
        // Left by an earlier etl-cronjob of the same name, and a Job no CronJob owns.
        job('etl-cronjob-manual', { name: 'etl-cronjob', uid: 'gone' }, '2026-11-24T07:10:00Z'),
        job('useryaml', null, '2026-11-24T07:20:00Z'),
      ],
    );
    const withRuns = (c: Omit<CronJobFacts, 'recentRuns'>, ...older: JobRunFacts[]): CronJobFacts => ({ ...c, recentRuns: c.lastRun ? [c.lastRun, ...older] : [] });
    assert.deepEqual(facts, [
      withRuns({ name: 'etl-cronjob', schedule: '*/5 * * * *', suspended: true, lastScheduleTime: null, lastSuccessfulTime: null, lastRun: null }),
      withRuns({
        name: 'fence-db-migrate-cronjob',
        schedule: '0 0 31 2 *',
        suspended: true,
        lastScheduleTime: null,
        lastSuccessfulTime: null,
        lastRun: { name: 'fence-db-migrate-cronjob-dcoc-0123456789', result: 'failed', startedAt: '2026-11-24T06:00:00.000Z', finishedAt: '2026-11-24T06:01:00.000Z', reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit', manual: true },
      }),
      withRuns(
        {
          name: 'fence-delete-expired-clients',
          schedule: '*/5 * * * *',
          suspended: false,
          lastScheduleTime: '2026-11-24T07:05:00.000Z',
          lastSuccessfulTime: '2026-11-24T07:05:09.000Z',
          lastRun: { name: 'fence-delete-expired-clients-29400425', result: 'succeeded', startedAt: '2026-11-24T07:05:00.000Z', finishedAt: '2026-11-24T07:05:09.000Z', reason: '', manual: false },
        },
        { name: 'fence-delete-expired-clients-29400420', result: 'succeeded', startedAt: '2026-11-24T07:00:00.000Z', finishedAt: '2026-11-24T07:00:08.000Z', reason: '', manual: false },
      ),
      withRuns({
        name: 'hatchery-reaper',
        schedule: '*/15 * * * *',
        suspended: false,
        lastScheduleTime: null,
        lastSuccessfulTime: null,
        lastRun: { name: 'hatchery-reaper-29400420', result: 'running', startedAt: '2026-11-24T07:00:00.000Z', finishedAt: null, reason: '', manual: false },
      }),
    ]);
  });

  it('the recent runs are the Jobs the CronJob owns, newest first (same second: by name), at most five; not those of another', () => {
    const owner = { name: 'arborist-rm-expired-access', uid: 'a1' };
    const at = (m: number) => `2026-11-24T07:${String(m).padStart(2, '0')}:00Z`;
    const done = (m: number): V1Job['status'] => ({ startTime: new Date(at(m)), completionTime: new Date(Date.parse(at(m)) + 7_000), conditions: [{ type: 'Complete', status: 'True' }] });
    const jobs = [
      // Listed in no particular order, as a watch cache holds them.
      job('arborist-rm-expired-access-29400430', owner, at(10), done(10)),
      job('arborist-rm-expired-access-29400420', owner, at(0), done(0)),
      job('arborist-rm-expired-access-29400440', owner, at(20), { active: 1, startTime: new Date(at(20)) }),
      job('arborist-rm-expired-access-29400425', owner, at(5), done(5)),
      job('arborist-rm-expired-access-29400435', owner, at(15), done(15)),
      // Two made by hand in the same second as the scheduled one at :15.
      job('arborist-rm-expired-access-dcoc-b', owner, at(15), done(15), { 'cronjob.kubernetes.io/instantiate': 'manual' }),
      job('arborist-rm-expired-access-dcoc-a', owner, at(15), done(15), { 'cronjob.kubernetes.io/instantiate': 'manual' }),
      job('fence-delete-expired-clients-29400441', { name: 'fence-delete-expired-clients', uid: 'f1' }, at(21)),
    ];
    const [c] = cronJobFacts([cron('arborist-rm-expired-access', 'a1')], jobs);
    assert.deepEqual(c.recentRuns?.map((r) => r.name), [
      'arborist-rm-expired-access-29400440',
      'arborist-rm-expired-access-dcoc-b',
      'arborist-rm-expired-access-dcoc-a',
      'arborist-rm-expired-access-29400435',
      'arborist-rm-expired-access-29400430',
    ]);
    assert.equal(c.recentRuns?.length, JOB_RUNS_MAX);
    assert.deepEqual(c.lastRun, c.recentRuns?.[0]);
    assert.deepEqual(c.recentRuns?.map((r) => [r.result, r.manual]), [['running', false], ['succeeded', true], ['succeeded', true], ['succeeded', false], ['succeeded', false]]);
    assert.equal(c.recentRuns?.[4].finishedAt, '2026-11-24T07:10:07.000Z');
  });
});

describe('the agent reports CronJobs', () => {
  const facts = (result: 'running' | 'succeeded') => [
    { name: 'fence-delete-expired-clients', schedule: '*/5 * * * *', suspended: false, lastScheduleTime: null, lastSuccessfulTime: null, lastRun: { name: 'x-1', result, startedAt: '2026-11-24T07:05:00.000Z', finishedAt: null, reason: '', manual: true } },
  ];

  it('in the snapshot, and in a delta only when they changed; not at all while unknown', () => {
    const obs = new Observations();
    assert.equal(obs.takeSnapshot().cronjobs, null);
    assert.equal(obs.takeDelta(), undefined);
    obs.setCronJobs(facts('running'));
    assert.deepEqual(obs.takeDelta()?.cronjobs, facts('running'));
    obs.setCronJobs(facts('running'));
    assert.equal(obs.takeDelta(), undefined, 'nothing changed');
    obs.setCronJobs(facts('succeeded'));
    assert.equal(obs.takeDelta()?.cronjobs?.[0].lastRun?.result, 'succeeded');
    assert.deepEqual(obs.takeSnapshot().cronjobs, facts('succeeded'));
    assert.equal(toCronJobListMsg(null), null);
    assert.deepEqual(toCronJobListMsg(facts('running'))?.items[0].last_run, { name: 'x-1', result: 'running', started_at: '2026-11-24T07:05:00.000Z', finished_at: '', reason: '', manual: true });
    const two: JobRunFacts[] = [
      { name: 'x-2', result: 'failed', startedAt: '2026-11-24T07:10:00.000Z', finishedAt: '2026-11-24T07:11:00.000Z', reason: 'DeadlineExceeded: Job was active longer than specified deadline', manual: false },
      facts('succeeded')[0].lastRun,
    ];
    assert.deepEqual(toCronJobListMsg([{ ...facts('succeeded')[0], lastRun: two[0], recentRuns: two }])?.items[0].recent_runs.map((r) => [r.name, r.result, r.finished_at]), [
      ['x-2', 'failed', '2026-11-24T07:11:00.000Z'],
      ['x-1', 'succeeded', ''],
    ]);
  });
});

describe('the gateway bounds what an agent reports', () => {
  const msg = (over: Partial<CronJobStateMsg> = {}): CronJobStateMsg => ({ name: 'fence-delete-expired-clients', schedule: '*/5 * * * *', suspended: false, last_schedule_time: '', last_successful_time: '', last_run: null, recent_runs: [], ...over });

  it('keeps what a commons can have, drops the rest; absent is "not reported"', () => {
    assert.equal(reportedCronJobs(null), null);
    assert.deepEqual(reportedCronJobs({ items: [] }), { items: [], dropped: 0, why: [] });
    const r = reportedCronJobs({
      items: [
        msg({ last_run: { name: 'fence-delete-expired-clients-29400425', result: 'failed', started_at: '2026-11-24T07:05:00Z', finished_at: '2026-11-24T07:06:00Z', reason: `x\u0000${'y'.repeat(5000)}`, manual: false } }),
        msg(),
        msg({ name: 'Not-A-Name' }),
        msg({ name: 'x'.repeat(60) }),
        msg({ name: 'long-schedule', schedule: '*'.repeat(500) }),
        msg({ name: 'bad-time', last_schedule_time: 'yesterday' }),
        msg({ name: 'bad-result', last_run: { name: 'bad-result-1', result: 'exploded', started_at: '', finished_at: '', reason: '', manual: false } }),
        msg({ name: 'bad-job', last_run: { name: '../../etc', result: 'running', started_at: '', finished_at: '', reason: '', manual: false } }),
        { name: 42 } as unknown as CronJobStateMsg,
      ],
    })!;
    assert.deepEqual(r.items.map((c) => c.name), ['fence-delete-expired-clients']);
    assert.equal(r.dropped, 8);
    const run = r.items[0].lastRun!;
    assert.equal(run.startedAt, '2026-11-24T07:05:00.000Z');
    assert.equal(run.reason.length, MAX_REASON);
    assert.ok(!run.reason.includes('\u0000'), 'no control characters');
    const many = reportedCronJobs({ items: Array.from({ length: MAX_CRONJOBS + 50 }, (_, i) => msg({ name: `job-${i}` })) })!;
    assert.equal(many.items.length, MAX_CRONJOBS);
    assert.ok(many.why.includes(`more than ${MAX_CRONJOBS}`));
  });
});

describe('the gateway bounds the recent runs an agent reports', () => {
  const NOW = Date.parse('2026-11-24T07:20:00Z');
  const run = (name: string, over: Partial<JobRunMsg> = {}): JobRunMsg => ({ name, result: 'succeeded', started_at: '2026-11-24T07:05:00Z', finished_at: '2026-11-24T07:05:09Z', reason: '', manual: false, ...over });
  const msg = (runs: JobRunMsg[], over: Partial<CronJobStateMsg> = {}): CronJobStateMsg => ({
    name: 'fence-delete-expired-clients',
    schedule: '*/5 * * * *',
    suspended: false,
    last_schedule_time: '',
    last_successful_time: '',
    last_run: runs[0] ?? null,
    recent_runs: runs,
    ...over,
  });
  const one = (c: CronJobStateMsg) => reportedCronJobs({ items: [c] }, NOW)!;

  it('keeps them newest first with each one\'s duration: finished − started; running: now − started; null when the start is not known', () => {
    const runs = [
      run('fence-delete-expired-clients-29400440', { result: 'running', started_at: '2026-11-24T07:19:30Z', finished_at: '' }),
      run('fence-delete-expired-clients-dcoc-0a1b2c3d4e', { result: 'failed', started_at: '2026-11-24T07:10:00Z', finished_at: '2026-11-24T07:12:30Z', reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit', manual: true }),
      run('fence-delete-expired-clients-29400425'),
      run('fence-delete-expired-clients-29400420', { started_at: '', finished_at: '2026-11-24T07:00:08Z' }),
    ];
    const r = one(msg(runs));
    assert.deepEqual([r.dropped, r.why], [0, []]);
    const c = r.items[0];
    assert.deepEqual(c.recentRuns.map((x) => [x.name, x.result, x.durationSeconds]), [
      ['fence-delete-expired-clients-29400440', 'running', 30],
      ['fence-delete-expired-clients-dcoc-0a1b2c3d4e', 'failed', 150],
      ['fence-delete-expired-clients-29400425', 'succeeded', 9],
      ['fence-delete-expired-clients-29400420', 'succeeded', null],
    ]);
    assert.deepEqual(c.lastRun, c.recentRuns[0]);
    assert.equal(c.recentRuns[1].reason, 'BackoffLimitExceeded: Job has reached the specified backoff limit');
    assert.equal(c.recentRuns[1].manual, true);

    // Served later, a running Job's duration has grown; a finished one's has not.
    const later = withDurations(r.items, NOW + 60_000)[0];
    assert.deepEqual(later.recentRuns.map((x) => x.durationSeconds), [90, 150, 9, null]);
    assert.equal(later.lastRun?.durationSeconds, 90);
    // A node clock ahead of the control service never makes it negative; a finished run with no finish time has none.
    assert.equal(runDurationSeconds({ result: 'running', startedAt: '2026-11-24T07:21:00.000Z', finishedAt: null }, NOW), 0);
    assert.equal(runDurationSeconds({ result: 'failed', startedAt: '2026-11-24T07:10:00.000Z', finishedAt: null }, NOW), null);
  });

  it('an agent older than recent_runs: the last run is the one recent run; none when it never ran', () => {
    assert.deepEqual(one(msg([], { last_run: run('fence-delete-expired-clients-29400425') })).items[0].recentRuns.map((x) => [x.name, x.durationSeconds]), [['fence-delete-expired-clients-29400425', 9]]);
    assert.deepEqual(one(msg([])).items[0].recentRuns, []);
  });

  it('drops a CronJob whose recent runs do not fit: more than five, an invalid name, result or time, a run twice, or not led by the last run', () => {
    const ok = (i: number) => run(`fence-delete-expired-clients-2940042${i}`);
    const cases: [CronJobStateMsg, string][] = [
      [msg(Array.from({ length: JOB_RUNS_MAX + 1 }, (_, i) => ok(i))), `more than ${JOB_RUNS_MAX} recent runs`],
      [msg([ok(1), run('../../etc/passwd')]), 'a recent run with an invalid Job name'],
      [msg([ok(1), run('fence-delete-expired-clients-1', { result: 'exploded' })]), 'a recent run with an unknown result'],
      [msg([ok(1), run('fence-delete-expired-clients-1', { started_at: 'yesterday' })]), 'a recent run with an invalid time'],
      [msg([ok(1), ok(1)]), 'a recent run twice'],
      [msg([ok(1), ok(2)], { last_run: ok(2) }), 'recent runs that do not start with the last run'],
      [msg([ok(1), null as unknown as JobRunMsg]), 'a recent run that is not a Job run'],
      [msg([], { recent_runs: 'all of them' as unknown as JobRunMsg[] }), 'recent runs that are not a list'],
    ];
    for (const [c, why] of cases) assert.deepEqual(one(c), { items: [], dropped: 1, why: [why] }, why);
    // Exactly five is fine.
    assert.equal(one(msg(Array.from({ length: JOB_RUNS_MAX }, (_, i) => ok(i)))).items[0].recentRuns.length, JOB_RUNS_MAX);
  });
});
