// The deploy driver for a commons the agent deploys with the gen3-helm chart
// (`--helm-chart`): a revision's values go to `helm upgrade --install`
// (mode upgrade), or to `helm template` whose manifests the agent
// server-side applies itself (mode template, for clusters where helm may not
// keep release Secrets or where ArgoCD owns the release). Unchanged values
// render unchanged objects, so only what the revision changes rolls.
import { type DeployDriver, deployExecutor } from '../executors/deploy';
import { ExecError, type Executor } from '../executors/executor';
import { type Helm, HelmError } from './helm';
import { type Deps, rolloutTracker } from './kube-deploy';
import { FIELD_MANAGER } from './kube-executors';
import { messageOf } from './kube-client';
import { applyManifests, parseManifests } from './manifest-apply';
import { serviceOfDeployment } from './workloads';

export type HelmMode = 'upgrade' | 'template';

export interface ChartDeps extends Deps {
  helm: Helm;
  mode: HelmMode;
}

export function chartDeployDriver(d: ChartDeps): DeployDriver {
  const { k, namespace, helm } = d;
  const tracker = rolloutTracker(d);

  async function viaHelm(values: Record<string, unknown>, description: string, signal: AbortSignal): Promise<string> {
    await helm.upgrade(values, description, signal);
    return `helm upgrade --install ${helm.release} done`;
  }

  async function viaTemplate(values: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    const { objects, hooks } = parseManifests(await helm.template(values, signal), namespace);
    await applyManifests(k, objects, FIELD_MANAGER, signal);
    const skipped = hooks.length ? `; ${hooks.length} helm hook(s) not run (${hooks.join(', ')}): run them with helm if this revision needs them` : '';
    return `server-side applied the ${objects.length} objects helm template rendered${skipped}`;
  }

  return {
    current: tracker.current,
    rollout: tracker.rollout,

    async applyRevision(target, signal) {
      const description = `DCOC revision ${target.revision}, Gen3 release ${target.release}`;
      let done: string;
      try {
        done = d.mode === 'upgrade' ? await viaHelm(target.values, description, signal) : await viaTemplate(target.values, signal);
      } catch (e) {
        if (e instanceof HelmError) throw new ExecError(`${e.message}. Revision ${target.revision} may be partly applied; fix the cause and deploy again, or roll back`);
        throw e;
      }
      // The rollouts are judged against the Deployments as they are now, not the (lagging) watch cache.
      let items;
      try {
        items = (await k.apps.listNamespacedDeployment({ namespace })).items;
      } catch (e) {
        throw new ExecError(`${done}, but listing Deployments to follow the rollouts failed: ${messageOf(e)}`);
      }
      for (const service of Object.keys(target.images)) {
        const dep = items.find((x) => serviceOfDeployment(x) === service);
        if (dep) tracker.remember(service, dep.metadata?.generation ?? 0, target.images[service]);
        else tracker.notRendered(service, `the chart rendered no Deployment for ${service}; check that the values enable it and that this chart version renders it`);
      }
      return done;
    },
  };
}

export function chartDeployExecutor(d: ChartDeps): Executor {
  return deployExecutor(chartDeployDriver(d), `helm-${d.mode}`, d.pollMs ?? 200);
}
