// The CronJobs a commons really has, on the real
// control plane: the commons carries the CronJobs gen3-helm renders with its
// default values (test/support/gen3-commons.ts GEN3_CRONJOBS, from gen3-helm
// 42cc46bc), the real CronJob and Job controllers (kwok as the kubelet) run
// them, and the agent, as its ServiceAccount bound to agent/deploy/rbac.yaml,
// reports exactly the CronJobs present with the Jobs each one owns (newest
// first, at most five), their results and durations. Through the control
// service, GET /commons/{id}/jobs lists them and a run of one the commons
// does not have is refused before any command is queued, so the agent never
// asks the apiserver for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchV1Api, type V1CronJob, type V1Job } from '@kubernetes/client-node';
import { type CommandView, type CommonsJobs, type CronJobView, JOB_RUNS_MAX, type JobRunView, type Problem } from '../../contracts/api';
import { useControlPlane } from '../support/control-plane';
import { MISSING_IMAGE_TAG } from '../support/control-plane/kwok-stages';
import { eventually } from '../support/fleet';
import { GEN3_CRONJOBS } from '../support/gen3-commons';
import { NS, realKubeAgentOnFleet } from '../support/kube-agent';

const controlPlane = useControlPlane();
const ID = 'data-example-org';

/** The seven CronJobs `helm template gen3 helm/gen3` renders with default values at gen3-helm 42cc46bc; no usersync. */
const CHART_DEFAULT = ['arborist-rm-expired-access', 'es-garbage', 'etl-cronjob', 'fence-db-migrate-cronjob', 'fence-delete-expired-clients', 'hatchery-reaper', 'migrate-to-single-table-indexd'];

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const isOwnedBy = (j: V1Job, c: V1CronJob) => j.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.uid === c.metadata?.uid) ?? false;
const created = (j: V1Job) => Date.parse(iso(j.metadata?.creationTimestamp)!);
/** Newest first; Jobs created in the same second by name, the later name first. */
const newestFirst = (a: V1Job, b: V1Job) => created(b) - created(a) || (a.metadata!.name! < b.metadata!.name! ? 1 : -1);

/** A Job as the API should show it, from what the apiserver holds; a running one's duration is left to `comparable`. */
function runOf(j: V1Job): JobRunView {
  const cond = (type: string) => j.status?.conditions?.find((x) => x.type === type && x.status === 'True');
  const failed = cond('Failed');
  const result = failed ? 'failed' : cond('Complete') ? 'succeeded' : 'running';
  const startedAt = iso(j.status?.startTime ?? j.metadata?.creationTimestamp);
  const finishedAt = result === 'succeeded' ? iso(j.status?.completionTime) : result === 'failed' ? iso(failed?.lastTransitionTime) : null;
  return {
    name: j.metadata!.name!,
    result,
    startedAt,
    finishedAt,
    reason: failed ? `${failed.reason}: ${failed.message}` : '',
    manual: j.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'] === 'manual',
    durationSeconds: startedAt && finishedAt ? (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000 : null,
  };
}

/** Stands for "a running Job's duration that is right": it grows while the test compares. */
const RUNNING_OK = -1;

/**
 * The list with each running Job's duration that is right as the API serves
 * it (from its start to when the list was served: between 0 and now − start)
 * replaced by RUNNING_OK; a wrong one is kept, and shows in the comparison.
 * `served` false: the expected list, whose running Jobs have no duration yet.
 */
function comparable(items: CronJobView[], served: boolean): CronJobView[] {
  const run = (r: JobRunView): JobRunView => {
    if (r.result !== 'running') return r;
    const upTo = (Date.now() - Date.parse(r.startedAt!)) / 1000;
    const right = !served || (r.durationSeconds !== null && r.durationSeconds >= 0 && r.durationSeconds <= upTo + 0.01);
    return right ? { ...r, durationSeconds: RUNNING_OK } : r;
  };
  return items.map((c) => ({ ...c, lastRun: c.lastRun && run(c.lastRun), recentRuns: c.recentRuns.map(run) }));
}

describe('CronJobs on the real control plane', { timeout: 300_000 }, () => {
  it('the agent reports exactly the CronJobs present with the Jobs each one owns (newest first, at most five), results and durations; a run of a missing one is refused with no command', async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const env = await realKubeAgentOnFleet(cp);
    t.after(() => env.stop());
    const batch = cp.kubeConfig.makeApiClient(BatchV1Api);
    const agentAsked = (verb: string, resource: string) => cp.audit({ user: env.k.agent.username }).filter((e) => e.verb === verb && e.objectRef?.resource === resource).map((e) => e.objectRef?.name ?? '');
    assert.deepEqual(GEN3_CRONJOBS.map((c) => c.name), CHART_DEFAULT, 'the seeded commons carries what the chart renders by default');

    // Two runs by hand (as kubectl create job --from=cronjob/... makes them), owned by their CronJobs:
    // fence-db-migrate-cronjob's cannot pull its image and passes its deadline (the Job controller fails it),
    // migrate-to-single-table-indexd's completes. Neither CronJob ever runs on schedule (Feb 31st).
    const byHand = async (cronjob: string, name: string, broken: boolean | 'stuck') => {
      const cj = await batch.readNamespacedCronJob({ name: cronjob, namespace: NS });
      const spec = structuredClone(cj.spec!.jobTemplate.spec!);
      if (broken) {
        if (broken !== 'stuck') spec.activeDeadlineSeconds = 2;
        for (const c of spec.template.spec!.containers) c.image = `${c.image}-${MISSING_IMAGE_TAG}`;
      }
      await batch.createNamespacedJob({
        namespace: NS,
        body: {
          metadata: {
            name,
            annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
            ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronjob, uid: cj.metadata!.uid!, controller: true }],
          },
          spec,
        },
      });
    };
    await byHand('fence-db-migrate-cronjob', 'fence-db-migrate-cronjob-manual-1', true);
    await byHand('migrate-to-single-table-indexd', 'migrate-to-single-table-indexd-manual-1', false);
    await byHand('migrate-to-single-table-indexd', 'migrate-to-single-table-indexd-manual-2', false);
    // More Jobs than are reported: six that cannot pull their image and have no deadline stay running
    // (the CronJob controller's history limits remove only finished Jobs); the newest five are reported.
    const etlRuns = Array.from({ length: JOB_RUNS_MAX + 1 }, (_, i) => `etl-cronjob-manual-${i + 1}`);
    for (const name of etlRuns) await byHand('etl-cronjob', name, 'stuck');

    /** What the apiserver says now: every CronJob, with the Jobs it owns, newest first, at most five. */
    const expected = async (): Promise<CronJobView[]> => {
      const [cjs, jobs] = await Promise.all([batch.listNamespacedCronJob({ namespace: NS }), batch.listNamespacedJob({ namespace: NS })]);
      return cjs.items
        .map((c) => {
          const recentRuns = jobs.items.filter((j) => isOwnedBy(j, c)).sort(newestFirst).slice(0, JOB_RUNS_MAX).map(runOf);
          return {
            name: c.metadata!.name!,
            schedule: c.spec!.schedule,
            suspended: c.spec!.suspend ?? false,
            lastScheduleTime: iso(c.status?.lastScheduleTime),
            lastSuccessfulTime: iso(c.status?.lastSuccessfulTime),
            lastRun: recentRuns[0] ?? null,
            recentRuns,
          } satisfies CronJobView;
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    };
    const reported = async () => {
      const body = (await env.fleet.admin<CommonsJobs>('GET', `/api/v1/commons/${ID}/jobs`)).body;
      return { ...body, items: comparable(body.items, true) };
    };
    /** The agent's report, through the control service, once it matches the cluster (the controllers keep moving). */
    const settled = async (what: string, extra: (items: CronJobView[]) => boolean) => {
      let last: [CommonsJobs, CronJobView[]] | undefined;
      try {
        return await eventually(
          async () => {
            const [want, got] = [comparable(await expected(), false), await reported()];
            last = [got, want];
            return got.reported && JSON.stringify(got.items) === JSON.stringify(want) && extra(got.items) && got.items;
          },
          { what, timeoutMs: 60_000, intervalMs: 250 },
        );
      } catch (e) {
        // Say how the report and the cluster differ.
        assert.deepEqual(last?.[0].items, last?.[1], (e as Error).message);
        throw e;
      }
    };
    const named = (items: CronJobView[], name: string) => items.find((c) => c.name === name);

    const items = await settled('the agent to report the CronJobs with the runs by hand finished', (list) =>
      ['fence-db-migrate-cronjob', 'migrate-to-single-table-indexd'].every((n) => named(list, n)?.recentRuns.length && named(list, n)?.recentRuns.every((r) => r.result !== 'running')),
    );
    assert.deepEqual(items.map((c) => c.name), CHART_DEFAULT);
    const failed = named(items, 'fence-db-migrate-cronjob')!;
    assert.deepEqual([failed.schedule, failed.suspended, failed.lastRun?.name, failed.lastRun?.result, failed.lastRun?.manual], ['0 0 31 2 *', true, 'fence-db-migrate-cronjob-manual-1', 'failed', true]);
    assert.match(failed.lastRun!.reason, /^DeadlineExceeded: /);
    assert.deepEqual(failed.recentRuns, [failed.lastRun]);
    // It failed when its deadline (2 s) passed: the duration is the Job's, from start to the Failed condition.
    assert.ok(failed.lastRun!.durationSeconds! >= 2, String(failed.lastRun!.durationSeconds));
    const ok = named(items, 'migrate-to-single-table-indexd')!;
    assert.deepEqual(ok.recentRuns.map((r) => [r.name, r.result, r.manual]), [
      ['migrate-to-single-table-indexd-manual-2', 'succeeded', true],
      ['migrate-to-single-table-indexd-manual-1', 'succeeded', true],
    ]);
    for (const r of ok.recentRuns) assert.equal(r.durationSeconds, (Date.parse(r.finishedAt!) - Date.parse(r.startedAt!)) / 1000, r.name);
    assert.deepEqual(ok.lastRun, ok.recentRuns[0]);
    const etl = named(items, 'etl-cronjob')!;
    assert.deepEqual(etl.recentRuns.map((r) => [r.name, r.result]), etlRuns.slice(1).reverse().map((n) => [n, 'running']), 'the newest five of six');
    // The agent watches them (one list each so far), it does not poll.
    assert.deepEqual([agentAsked('list', 'cronjobs').length, agentAsked('list', 'jobs').length], [1, 1]);

    // usersync is not there: refused at the API, naming the field and what the commons has; nothing queued, nothing asked of the apiserver.
    const commandsBefore = (await env.fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}`)).body.items.length;
    const refused = await env.fleet.admin<Problem>('POST', `/api/v1/commons/${ID}/jobs/usersync/run`);
    assert.equal(refused.status, 404, JSON.stringify(refused.body));
    assert.deepEqual(refused.body.errors?.map((e) => e.field), ['path.cronjob']);
    assert.match(refused.body.errors![0].message, new RegExp(CHART_DEFAULT.join(', ')));
    assert.equal((await env.fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}`)).body.items.length, commandsBefore);
    assert.deepEqual(agentAsked('get', 'cronjobs'), [], 'the agent never looked for it');
    assert.deepEqual(agentAsked('create', 'jobs'), []);

    // The list follows the namespace: usersync switched on (its CronJob created), es-garbage removed.
    const usersync = GEN3_CRONJOBS.find((c) => c.name === 'fence-delete-expired-clients')!;
    await batch.createNamespacedCronJob({
      namespace: NS,
      body: { metadata: { name: 'usersync' }, spec: { schedule: '*/30 * * * *', jobTemplate: { spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: usersync.containers('2026.07') } } } } } },
    });
    await batch.deleteNamespacedCronJob({ name: 'es-garbage', namespace: NS });
    const now = await settled('usersync in, es-garbage out', (list) => !!named(list, 'usersync') && !named(list, 'es-garbage'));
    assert.deepEqual(now.map((c) => c.name), [...CHART_DEFAULT.filter((n) => n !== 'es-garbage'), 'usersync'].sort());

    // Now it has usersync: the run is queued, the agent creates the Job, and its run shows as usersync's last.
    const run = await env.fleet.admin<{ command: { id: string } }>('POST', `/api/v1/commons/${ID}/jobs/usersync/run`);
    assert.equal(run.status, 202, JSON.stringify(run.body));
    const done = await eventually(async () => {
      const v = (await env.fleet.admin<CommandView>('GET', `/api/v1/commands/${run.body.command.id}`)).body;
      return ['succeeded', 'failed', 'expired'].includes(v.state) && v;
    }, { what: 'the usersync run to finish' });
    assert.equal(done.state, 'succeeded', done.message);
    const last = await settled('usersync\'s run reported', (list) => named(list, 'usersync')?.lastRun?.result === 'succeeded');
    const ran = named(last, 'usersync')!;
    assert.deepEqual([ran.lastRun?.name, ran.lastRun?.manual], [(done.result as { job: string }).job, true]);
    assert.deepEqual(ran.recentRuns, [ran.lastRun]);
    assert.equal(ran.lastRun?.durationSeconds, (Date.parse(ran.lastRun!.finishedAt!) - Date.parse(ran.lastRun!.startedAt!)) / 1000);
  });
});
