// The deploy driver for a commons the agent deploys with the gen3-helm chart
// (`--helm-chart`): a revision's values go to `helm upgrade --install`
// (mode upgrade), or to `helm template` whose manifests the agent
// server-side applies itself (mode template, for clusters where helm may not
// keep release Secrets or where ArgoCD owns the release). Unchanged values
// render unchanged objects, so only what the revision changes rolls.
//
// HPA ranges the chart cannot express (target.hpa: presigned-url-fence's,
// whose HPA gen3-helm renders from fence's values) are set on `<service>-hpa`
// as the revision is applied: in the objects applied from helm template, or
// right after helm upgrade returns.
import { type KubernetesObject, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type DeployDriver, type HpaRange, deployExecutor } from '../executors/deploy';
import { ExecError, type Executor } from '../executors/executor';
import { type Helm, HelmError } from './helm';
import { type Deps, restartForConfig, rolloutTracker } from './kube-deploy';
import { FIELD_MANAGER } from './kube-executors';
import { messageOf } from './kube-client';
import { applyManifests, parseManifests } from './manifest-apply';
import { serviceOfDeployment } from './workloads';
import { gen3Service } from '../../contracts/gen3/catalog';

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

  async function viaTemplate(values: Record<string, unknown>, hpa: Record<string, HpaRange>, signal: AbortSignal): Promise<string> {
    const { objects, hooks } = parseManifests(await helm.template(values, signal), namespace);
    for (const [service, r] of Object.entries(hpa)) {
      const o = objects.find((x) => x.kind === 'HorizontalPodAutoscaler' && x.metadata?.name === hpaName(service)) as HpaObject | undefined;
      const wrong = hpaMismatch(service, o);
      if (wrong) throw new ExecError(`${wrong}; nothing was applied`);
      Object.assign(o!.spec!, { minReplicas: r.min, maxReplicas: r.max });
    }
    await applyManifests(k, objects, FIELD_MANAGER, signal);
    const skipped = hooks.length ? `; ${hooks.length} helm hook(s) not run (${hooks.join(', ')}): run them with helm if this revision needs them` : '';
    const ranges = Object.keys(hpa).length ? ` (${describe(hpa)})` : '';
    return `server-side applied the ${objects.length} objects helm template rendered${ranges}${skipped}`;
  }

  /**
   * After helm upgrade: each range merge-patched onto its HPA, then the
   * agent's claim on the two fields given up. helm (v4, server-side apply)
   * writes the chart's range again on the next upgrade, and would refuse to
   * while another field manager owns them ("conflicts with dcoc-agent"); left
   * unowned, they go back to helm then, and this sets the range again.
   */
  async function setRanges(hpa: Record<string, HpaRange>, done: string): Promise<string> {
    for (const [service, r] of Object.entries(hpa)) {
      const name = hpaName(service);
      try {
        const o = (await k.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace }).catch((e: unknown) => {
          if ((e as { code?: number }).code === 404) return undefined;
          throw e;
        })) as HpaObject | undefined;
        const wrong = hpaMismatch(service, o);
        if (wrong) throw new ExecError(`${done}, but ${wrong}. The revision is partly applied`);
        await k.autoscaling.patchNamespacedHorizontalPodAutoscaler(
          { name, namespace, body: { spec: { minReplicas: r.min, maxReplicas: r.max } }, fieldManager: FIELD_MANAGER },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        await releaseOwnership(name);
      } catch (e) {
        if (e instanceof ExecError) throw e;
        throw new ExecError(`${done}, but setting ${name} to ${r.min}–${r.max} failed: ${messageOf(e)}. The revision is partly applied; deploy it again`);
      }
    }
    return `${done}; ${describe(hpa)}`;
  }

  /**
   * Drops the agent's managedFields entry from the HPA (an explicit write of
   * managedFields is kept as written and claims nothing). Guarded by the
   * resourceVersion, as the HPA controller writes the object's status
   * meanwhile: re-read and tried again when it moved.
   */
  async function releaseOwnership(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const o = await k.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace });
      const managed = o.metadata?.managedFields ?? [];
      const keep = managed.filter((m) => !(m.manager === FIELD_MANAGER && m.operation === 'Update'));
      if (!keep.length || keep.length === managed.length) return;
      try {
        await k.autoscaling.patchNamespacedHorizontalPodAutoscaler(
          {
            name,
            namespace,
            body: [
              { op: 'test', path: '/metadata/resourceVersion', value: o.metadata?.resourceVersion },
              { op: 'replace', path: '/metadata/managedFields', value: keep },
            ],
          },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        );
        return;
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (attempt >= 5 || (code !== 409 && code !== 422)) throw e;
      }
    }
  }

  return {
    current: tracker.current,
    rollout: tracker.rollout,
    restart: (service, restartedAt) => restartForConfig(k, namespace, tracker, service, restartedAt),

    async applyRevision(target, signal) {
      const description = `DCOC revision ${target.revision}, Gen3 release ${target.release}`;
      let done: string;
      try {
        const hpa = target.hpa ?? {};
        done = d.mode === 'upgrade' ? await viaHelm(target.values, description, signal) : await viaTemplate(target.values, hpa, signal);
        if (d.mode === 'upgrade' && Object.keys(hpa).length) done = await setRanges(hpa, done);
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

type HpaObject = KubernetesObject & { spec?: { scaleTargetRef?: { kind?: string; name?: string }; minReplicas?: number; maxReplicas?: number } };

/** gen3-helm's HPA for a service: `<service>-hpa` (helm/common/templates/_hpa.tpl; helm/fence/templates/presigned-url-fence-hpa.yaml). */
const hpaName = (service: string) => `${service}-hpa`;

const describe = (hpa: Record<string, HpaRange>) => Object.entries(hpa).map(([s, r]) => `${hpaName(s)} set to ${r.min}–${r.max}`).join(', ');

/** Why `o` is not the HPA of `service`'s Deployment, or undefined when it is. */
function hpaMismatch(service: string, o: HpaObject | undefined): string | undefined {
  const deployment = gen3Service(service)?.deployment ?? `${service}-deployment`;
  if (!o?.spec) return `the chart rendered no ${hpaName(service)} to set ${service}'s own range on (gen3-helm renders it only when its chart autoscales)`;
  const ref = o.spec.scaleTargetRef;
  if (ref?.kind !== 'Deployment' || ref.name !== deployment) return `${hpaName(service)} scales ${ref?.kind ?? '?'}/${ref?.name ?? '?'}, not Deployment ${deployment}`;
  return undefined;
}

export function chartDeployExecutor(d: ChartDeps): Executor {
  return deployExecutor(chartDeployDriver(d), `helm-${d.mode}`, d.pollMs ?? 200);
}
