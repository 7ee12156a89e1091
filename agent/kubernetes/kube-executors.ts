// restart, scale, config and run-job through the Kubernetes API, as target
// states: each checks the cluster first and changes nothing that is already
// as the command wants it, then follows the change to completion.
import { PatchStrategy, type V1ConfigMap, type V1Deployment, type V1Job, setHeaderOptions } from '@kubernetes/client-node';
import { type CommandSpec, type ExecContext, ExecError, type Executor, readTarget, waitUntil } from '../executors/executor';
import type { KubeCollector } from './kube-collector';
import { type KubeClients, messageOf, statusOf } from './kube-client';
import { MANIFEST_GLOBAL, REVISION_ANNOTATION, configFrom } from './manifest-global';
import { RESTARTED_AT, deploymentRollout, serviceOfDeployment } from './workloads';

export const FIELD_MANAGER = 'dcoc-agent';

interface Deps {
  k: KubeClients;
  namespace: string;
  collector: KubeCollector;
  /** How often a rollout or job is re-checked. */
  pollMs?: number;
}

function deploymentFor(d: Deps, service: string): string {
  const found = d.collector.deployments.items().find((x) => serviceOfDeployment(x) === service);
  if (!found?.metadata?.name) throw new ExecError(`no Deployment for Gen3 service ${service} in namespace ${d.namespace}`);
  return found.metadata.name;
}

/**
 * Waits on the watched Deployment until the rollout of `generation` has
 * completed, reporting what `kubectl rollout status` would say at each step;
 * fails, as kubectl does, once the Deployment exceeds its progress deadline.
 */
function followRollout(d: Deps, name: string, generation: number, cmd: CommandSpec, ctx: ExecContext, extra?: (dep: V1Deployment) => boolean) {
  return waitUntil(
    cmd,
    ctx,
    () => {
      const dep = d.collector.deployment(name);
      if (!dep) return { done: false, message: `waiting for Deployment ${name}`, percent: 0 };
      const st = dep.status ?? {};
      const desired = dep.spec?.replicas ?? 1;
      // The watched copy may not show our own change yet: "spec update not observed" until it does.
      const status = deploymentRollout(dep, generation);
      if (status.error) throw new ExecError(status.error);
      const done = status.done && (extra?.(dep) ?? true);
      const percent = desired === 0 ? 100 : Math.round((Math.min(st.updatedReplicas ?? 0, st.availableReplicas ?? 0) / desired) * 100);
      return { done, message: status.message, percent };
    },
    d.pollMs ?? 200,
  );
}

export function kubeExecutors(d: Deps): Executor[] {
  const { k, namespace } = d;
  return [
    {
      kind: 'restart',
      async execute(cmd, ctx) {
        const name = deploymentFor(d, cmd.service);
        const restartedAt = String(cmd.target.restartedAt ?? '');
        if (!restartedAt) throw new ExecError('restart needs target.restartedAt');
        const current = await k.apps.readNamespacedDeployment({ name, namespace });
        let generation = current.metadata?.generation ?? 0;
        const already = current.spec?.template?.metadata?.annotations?.[RESTARTED_AT] === restartedAt;
        if (!already) {
          // As `kubectl rollout restart`: a pod-template annotation, so the Deployment controller rolls every pod.
          const patched = await k.apps.patchNamespacedDeployment(
            { name, namespace, body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
          generation = patched.metadata?.generation ?? generation;
        }
        ctx.progress(already ? `${name}: already restarted at ${restartedAt}; following its rollout` : `${name}: rolling restart started`, 0);
        const message = await followRollout(d, name, generation, cmd, ctx, (dep) => dep.spec?.template?.metadata?.annotations?.[RESTARTED_AT] === restartedAt);
        return { message, result: { deployment: name, restartedAt, newRollout: !already } };
      },
    },
    {
      kind: 'scale',
      async execute(cmd, ctx) {
        const name = deploymentFor(d, cmd.service);
        const replicas = cmd.target.replicas;
        if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw new ExecError('scale needs a whole target.replicas');
        const hpas = (await k.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace })).items;
        const hpa = hpas.find((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === name);
        let note = '';
        if (hpa) {
          const min = hpa.spec?.minReplicas ?? 1;
          const max = hpa.spec?.maxReplicas ?? min;
          if (replicas < min || replicas > max) {
            throw new ExecError(`${name} is autoscaled by HorizontalPodAutoscaler ${hpa.metadata?.name} (${min}–${max} replicas); ${replicas} is outside that range, so the HPA would undo it. Change the HPA's range instead.`);
          }
          note = `; HorizontalPodAutoscaler ${hpa.metadata?.name} (${min}–${max}) manages ${name} and may change this`;
        }
        const scale = await k.apps.readNamespacedDeploymentScale({ name, namespace });
        const changed = scale.spec?.replicas !== replicas;
        let generation = (await k.apps.readNamespacedDeployment({ name, namespace })).metadata?.generation ?? 0;
        if (changed) {
          try {
            // The scale subresource, guarded by the resourceVersion just read.
            await k.apps.replaceNamespacedDeploymentScale({ name, namespace, body: { ...scale, spec: { replicas } } });
          } catch (e) {
            if (statusOf(e) === 409) throw new ExecError(`conflict: ${name} changed while scaling (${messageOf(e)}); nothing was changed, retry`);
            throw e;
          }
          generation += 1;
        }
        ctx.progress(changed ? `${name}: scaling ${scale.spec?.replicas ?? '?'} → ${replicas}${note}` : `${name}: already at ${replicas} replicas${note}`, 0);
        const message = await followRollout(d, name, generation, cmd, ctx, (dep) => (dep.spec?.replicas ?? 1) === replicas);
        return { message: `${message}${note}`, result: { deployment: name, replicas, changed, ...(hpa ? { hpa: hpa.metadata?.name } : {}) } };
      },
    },
    {
      kind: 'config',
      async execute(cmd, ctx) {
        const { revision, baseRevision, data, resourceVersion } = readTarget('config', cmd.target);
        const cm = await k.core.readNamespacedConfigMap({ name: MANIFEST_GLOBAL, namespace });
        const current = configFrom(cm);
        if (current.revision === revision) {
          ctx.progress(`${MANIFEST_GLOBAL} is already at revision ${revision}`, 100);
          return { message: `config revision ${revision} in place`, result: { revision, written: false } };
        }
        if (current.revision !== baseRevision) {
          throw new ExecError(`conflict: ${MANIFEST_GLOBAL} is at revision ${current.revision}, the change was made against ${baseRevision}; nothing was written. Reload the config and retry.`);
        }
        for (const key of ['hostname', 'environment']) {
          if (data[key] !== cm.data?.[key]) throw new ExecError(`${key} identifies the commons and cannot be changed through config (${cm.data?.[key]} → ${data[key] ?? 'removed'})`);
        }
        const body: V1ConfigMap = {
          ...cm,
          metadata: {
            ...cm.metadata,
            annotations: { ...(cm.metadata?.annotations ?? {}), [REVISION_ANNOTATION]: String(revision) },
            resourceVersion: resourceVersion ?? cm.metadata?.resourceVersion,
          },
          data,
        };
        try {
          await k.core.replaceNamespacedConfigMap({ name: MANIFEST_GLOBAL, namespace, body, fieldManager: FIELD_MANAGER });
        } catch (e) {
          if (statusOf(e) === 409) {
            throw new ExecError(`conflict: ${MANIFEST_GLOBAL} was changed since resourceVersion ${body.metadata?.resourceVersion} (${messageOf(e)}); nothing was written. Reload the config and retry.`);
          }
          throw e;
        }
        ctx.progress(`${MANIFEST_GLOBAL} revision ${revision} written`, 100);
        return { message: `config revision ${revision} in place`, result: { revision, written: true } };
      },
    },
    {
      kind: 'run-job',
      async execute(cmd, ctx) {
        const cronjob = cmd.service;
        // One Job per command: a repeat finds it instead of starting a second run.
        const jobName = `${cronjob.slice(0, 40)}-dcoc-${cmd.id.replace(/-/g, '').slice(0, 10)}`;
        let job: V1Job;
        try {
          job = await k.batch.readNamespacedJob({ name: jobName, namespace });
          ctx.progress(`job ${jobName} already started; following it`, 0);
        } catch (e) {
          if (statusOf(e) !== 404) throw e;
          let cj;
          try {
            cj = await k.batch.readNamespacedCronJob({ name: cronjob, namespace });
          } catch (err) {
            if (statusOf(err) === 404) {
              const has = d.collector.cronJobs.items().map((c) => c.metadata?.name ?? '').sort();
              throw new ExecError(`no CronJob ${cronjob} in namespace ${namespace} (it has: ${has.join(', ') || 'none'})`);
            }
            throw err;
          }
          const tpl = cj.spec?.jobTemplate;
          // As `kubectl create job --from=cronjob/<name>`.
          job = await k.batch.createNamespacedJob({
            namespace,
            body: {
              apiVersion: 'batch/v1',
              kind: 'Job',
              metadata: {
                name: jobName,
                namespace,
                labels: { ...(tpl?.metadata?.labels ?? {}), 'app.kubernetes.io/managed-by': 'dcoc' },
                annotations: { ...(tpl?.metadata?.annotations ?? {}), 'cronjob.kubernetes.io/instantiate': 'manual', 'dcoc.gen3.org/command': cmd.id },
                ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronjob, uid: cj.metadata?.uid ?? '', controller: true }],
              },
              spec: tpl?.spec,
            },
            fieldManager: FIELD_MANAGER,
          });
          ctx.progress(`job ${jobName} created from cronjob/${cronjob}`, 0);
        }
        const completions = job.spec?.completions ?? 1;
        let failedReason = '';
        const message = await waitUntil(
          cmd,
          ctx,
          async () => {
            const j = await k.batch.readNamespacedJob({ name: jobName, namespace });
            const failed = j.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
            if (failed) failedReason = `${failed.reason ?? 'Failed'}: ${failed.message ?? ''}`;
            const succeeded = j.status?.succeeded ?? 0;
            return {
              done: succeeded >= completions || !!failed,
              message: `job ${jobName}: ${succeeded}/${completions} succeeded, ${j.status?.active ?? 0} running, ${j.status?.failed ?? 0} failed`,
              percent: Math.round((succeeded / completions) * 100),
            };
          },
          Math.max(d.pollMs ?? 200, 500),
        );
        if (failedReason) throw new ExecError(`job ${jobName} failed (${failedReason}); see its pod logs`);
        return { message, result: { job: jobName, cronjob } };
      },
    },
  ];
}
