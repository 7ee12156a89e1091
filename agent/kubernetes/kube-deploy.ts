// The deploy executor's drivers for Kubernetes. Without a chart, each changed
// Deployment gets a server-side apply (fieldManager dcoc-agent, force) of a
// minimal object carrying only its container's image (and replicas when they
// change), so DCOC owns exactly those fields and nothing else helm or ArgoCD
// set is touched. With a chart (chart-deploy.ts) helm applies the revision.
// Either way rollouts are followed through the collector's watch cache.
import { PatchStrategy, type V1Deployment, setHeaderOptions } from '@kubernetes/client-node';
import { type DeployDriver, deployExecutor } from '../executors/deploy';
import { ExecError, type Executor } from '../executors/executor';
import type { KubeCollector } from './kube-collector';
import { type KubeClients, messageOf } from './kube-client';
import { FIELD_MANAGER } from './kube-executors';
import { RESTARTED_AT, rolloutText, serviceOfDeployment, workloadFacts } from './workloads';

export interface Deps {
  k: KubeClients;
  namespace: string;
  collector: KubeCollector;
  pollMs?: number;
}

function mainContainer(d: V1Deployment, service: string) {
  const containers = d.spec?.template?.spec?.containers ?? [];
  return containers.find((c) => c.name === service) ?? containers[0];
}

/** What the drivers share: reading services off the watch cache and judging their rollouts. */
export interface RolloutTracker extends Pick<DeployDriver, 'current' | 'rollout'> {
  /** The service's Deployment in the watch cache. */
  find(service: string): V1Deployment | undefined;
  /** The generation and image an apply produced: a rollout is judged on that spec, never on an older watch event. */
  remember(service: string, generation: number, image: string): void;
  /** A service the apply should have created but the chart did not render. */
  notRendered(service: string, why: string): void;
}

export function rolloutTracker(d: Pick<Deps, 'collector'>): RolloutTracker {
  const { collector } = d;
  const applied = new Map<string, { generation: number; image: string }>();
  const absent = new Map<string, string>();
  const find = (service: string) => collector.deployments.items().find((x) => serviceOfDeployment(x) === service);
  return {
    find,
    remember(service, generation, image) {
      applied.set(service, { generation, image });
      absent.delete(service);
    },
    notRendered(service, why) {
      absent.set(service, why);
    },
    current(service) {
      const dep = find(service);
      const c = dep && mainContainer(dep, service);
      return dep && c?.image ? { image: c.image, desired: dep.spec?.replicas ?? 1 } : undefined;
    },
    rollout(service) {
      const dep = find(service);
      const mine = applied.get(service);
      if (!dep) {
        const why = absent.get(service);
        // Created by this deploy but not in the watch cache yet.
        if (mine && !why) return { image: mine.image, updated: 0, ready: 0, desired: 0, done: false };
        return { image: '', updated: 0, ready: 0, desired: 0, done: false, failure: why ?? 'the Deployment disappeared' };
      }
      const st = dep.status ?? {};
      const desired = dep.spec?.replicas ?? 1;
      const image = mainContainer(dep, service)?.image ?? '';
      const generation = mine?.generation ?? dep.metadata?.generation ?? 0;
      const caughtUp = (dep.metadata?.generation ?? 0) >= generation && (st.observedGeneration ?? 0) >= generation;
      const done = caughtUp && rolloutText(dep) === '' && (st.readyReplicas ?? 0) === desired;
      let failure: string | undefined;
      if (caughtUp && mine && image !== mine.image) failure = `the Deployment runs ${image}, not ${mine.image}: the chart does not take this service's image from the values`;
      else if (caughtUp && !done) {
        const progressing = st.conditions?.find((c) => c.type === 'Progressing');
        if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') failure = `ProgressDeadlineExceeded: ${progressing.message ?? ''}`.trim();
        // Only pods running the image this deploy set count: an old pod's trouble is not this rollout's failure.
        const target = mine?.image ?? image;
        const w = workloadFacts(service, dep, collector.podItems().filter((p) => p.spec?.containers?.some((c) => c.image === target)));
        if (!failure && w.reasonIsFatal) failure = w.reason;
      }
      return { image, updated: st.updatedReplicas ?? 0, ready: st.readyReplicas ?? 0, desired, done, ...(failure ? { failure } : {}) };
    },
  };
}

/**
 * A rolling restart as `kubectl rollout restart` does it (the pod template's
 * restartedAt annotation), for services that read a changed config at start;
 * nothing when the pods already carry this restartedAt (a repeated deploy).
 */
export async function restartForConfig(k: KubeClients, namespace: string, tracker: RolloutTracker, service: string, restartedAt: string): Promise<void> {
  const dep = tracker.find(service);
  const name = dep?.metadata?.name;
  if (!dep || !name) throw new ExecError(`no Deployment for Gen3 service ${service} in namespace ${namespace} to restart`);
  const image = mainContainer(dep, service)?.image ?? '';
  if (dep.spec?.template?.metadata?.annotations?.[RESTARTED_AT] === restartedAt) return;
  try {
    const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } };
    const res = await k.apps.patchNamespacedDeployment({ name, namespace, body, fieldManager: FIELD_MANAGER }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    tracker.remember(service, res.metadata?.generation ?? 0, image);
  } catch (e) {
    throw new ExecError(`restart of ${name} failed: ${messageOf(e)}`);
  }
}

export function kubeDeployDriver(d: Deps): DeployDriver {
  const { k, namespace } = d;
  const tracker = rolloutTracker(d);

  return {
    current: tracker.current,
    rollout: tracker.rollout,
    restart: (service, restartedAt) => restartForConfig(k, namespace, tracker, service, restartedAt),

    async apply(service, change) {
      const dep = tracker.find(service);
      const name = dep?.metadata?.name;
      const container = dep && mainContainer(dep, service)?.name;
      if (!name || !container) throw new ExecError(`no Deployment for Gen3 service ${service} in namespace ${namespace}`);
      const body = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace },
        spec: { ...(change.replicas !== undefined ? { replicas: change.replicas } : {}), template: { spec: { containers: [{ name: container, image: change.image }] } } },
      };
      try {
        const res = await k.apps.patchNamespacedDeployment({ name, namespace, body, fieldManager: FIELD_MANAGER, force: true }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
        tracker.remember(service, res.metadata?.generation ?? 0, change.image);
      } catch (e) {
        throw new ExecError(`server-side apply of ${name} failed: ${messageOf(e)}`);
      }
    },
  };
}

export function kubeDeployExecutor(d: Deps): Executor {
  return deployExecutor(kubeDeployDriver(d), 'images', d.pollMs ?? 200);
}
