// The CronJobs a commons really has, on the real
// control plane: the commons carries the CronJobs gen3-helm renders with its
// default values (test/support/gen3-commons.ts GEN3_CRONJOBS, from gen3-helm
// 42cc46bc), the real CronJob and Job controllers (kwok as the kubelet) run
// them, and the agent, as its ServiceAccount bound to agent/deploy/rbac.yaml,
// reports exactly the CronJobs present with the last Job each one owns and
// its result. Through the control service, GET /commons/{id}/jobs lists them
// and a run of one the commons does not have is refused before any command
// is queued, so the agent never asks the apiserver for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchV1Api, type V1CronJob, type V1Job } from '@kubernetes/client-node';
import type { CommandView, CommonsJobs, CronJobView, Problem } from '../../contracts/api';
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

describe('CronJobs on the real control plane', { timeout: 300_000 }, () => {
  it('the agent reports exactly the CronJobs present with each one\'s last run and result; a run of a missing one is refused with no command', async (t) => {
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
    const byHand = async (cronjob: string, name: string, broken: boolean) => {
      const cj = await batch.readNamespacedCronJob({ name: cronjob, namespace: NS });
      const spec = structuredClone(cj.spec!.jobTemplate.spec!);
      if (broken) {
        spec.activeDeadlineSeconds = 2;
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

    /** What the apiserver says now: every CronJob, with the newest Job it owns. */
    const expected = async (): Promise<CronJobView[]> => {
      const [cjs, jobs] = await Promise.all([batch.listNamespacedCronJob({ namespace: NS }), batch.listNamespacedJob({ namespace: NS })]);
      return cjs.items
        .map((c) => {
          const newest = jobs.items.filter((j) => isOwnedBy(j, c)).sort((a, b) => Date.parse(iso(b.metadata?.creationTimestamp)!) - Date.parse(iso(a.metadata?.creationTimestamp)!))[0];
          const cond = (type: string) => newest?.status?.conditions?.find((x) => x.type === type && x.status === 'True');
          const failed = cond('Failed');
          const result = failed ? 'failed' : cond('Complete') ? 'succeeded' : 'running';
          return {
            name: c.metadata!.name!,
            schedule: c.spec!.schedule,
            suspended: c.spec!.suspend ?? false,
            lastScheduleTime: iso(c.status?.lastScheduleTime),
            lastSuccessfulTime: iso(c.status?.lastSuccessfulTime),
            lastRun: newest
              ? {
                  name: newest.metadata!.name!,
                  result,
                  startedAt: iso(newest.status?.startTime ?? newest.metadata?.creationTimestamp),
                  finishedAt: result === 'succeeded' ? iso(newest.status?.completionTime) : result === 'failed' ? iso(failed?.lastTransitionTime) : null,
                  reason: failed ? `${failed.reason}: ${failed.message}` : '',
                  manual: newest.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'] === 'manual',
                }
              : null,
          } satisfies CronJobView;
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    };
    const reported = async () => (await env.fleet.admin<CommonsJobs>('GET', `/api/v1/commons/${ID}/jobs`)).body;
    /** The agent's report, through the control service, once it matches the cluster (the controllers keep moving). */
    const settled = async (what: string, extra: (items: CronJobView[]) => boolean) => {
      let last: [CommonsJobs, CronJobView[]] | undefined;
      try {
        return await eventually(
          async () => {
            const [want, got] = [await expected(), await reported()];
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
      ['fence-db-migrate-cronjob', 'migrate-to-single-table-indexd'].every((n) => named(list, n)?.lastRun?.result !== 'running'),
    );
    assert.deepEqual(items.map((c) => c.name), CHART_DEFAULT);
    const failed = named(items, 'fence-db-migrate-cronjob')!;
    assert.deepEqual([failed.schedule, failed.suspended, failed.lastRun?.name, failed.lastRun?.result, failed.lastRun?.manual], ['0 0 31 2 *', true, 'fence-db-migrate-cronjob-manual-1', 'failed', true]);
    assert.match(failed.lastRun!.reason, /^DeadlineExceeded: /);
    const ok = named(items, 'migrate-to-single-table-indexd')!;
    assert.deepEqual([ok.lastRun?.name, ok.lastRun?.result], ['migrate-to-single-table-indexd-manual-1', 'succeeded']);
    assert.ok(ok.lastRun?.finishedAt);
    assert.equal(named(items, 'etl-cronjob')?.lastRun, null, 'suspended, never run');
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
    assert.deepEqual([named(last, 'usersync')?.lastRun?.name, named(last, 'usersync')?.lastRun?.manual], [(done.result as { job: string }).job, true]);
  });
});
