// A Gen3 commons on the real control plane: the objects the gen3-helm umbrella
// chart renders (test/support/gen3-commons.ts) created as helm would (field
// manager "helm"), the agent's ServiceAccount bound to agent/deploy/rbac.yaml
// (and rbac-helm.yaml when it deploys with helm), and every Deployment rolled
// out with Ready pods on kwok's Nodes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api, AutoscalingV2Api, BatchV1Api, type KubeConfig, KubernetesObjectApi, type KubernetesObject, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ROOT } from '../../../scripts/demo/processes';
import { gen3CommonsObjects, type Gen3Commons, type Gen3CommonsOptions } from '../gen3-commons';
import type { ControlPlane } from './index';

export interface Gen3OnControlPlane {
  commons: Gen3Commons;
  /** The agent's ServiceAccount (dcoc-agent in the commons namespace), as client-node config, a kubeconfig file and its bearer token. */
  agent: { kubeConfig: KubeConfig; kubeconfigFile: string; token: string; username: string };
}

export interface InstallGen3Options extends Partial<Gen3CommonsOptions> {
  /** Also bind agent/deploy/rbac-helm.yaml (the agent deploys with helm). */
  helmRbac?: boolean;
  /** Leave out the chart's objects (helm installs them itself). */
  empty?: boolean;
}

export const GEN3_DEFAULTS = { namespace: 'gen3', hostname: 'data.example.org', environment: 'exampleprod', release: '2026.07' } as const;

/** Every replica of `name` updated, available and Ready, no old pod left: what `kubectl rollout status` waits for. */
export async function rolledOut(apps: AppsV1Api, namespace: string, name: string): Promise<boolean> {
  const d = await apps.readNamespacedDeployment({ name, namespace });
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    (s.replicas ?? 0) === want &&
    (s.updatedReplicas ?? 0) === want &&
    (s.readyReplicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want
  );
}

export async function installGen3Commons(cp: ControlPlane, opts: InstallGen3Options = {}): Promise<Gen3OnControlPlane> {
  const o = { ...GEN3_DEFAULTS, ...opts };
  const ns = o.namespace;
  await cp.createNamespace(ns);
  await cp.apply(readFileSync(join(ROOT, 'agent/deploy/rbac.yaml'), 'utf8'), { namespace: ns });
  if (o.helmRbac) await cp.apply(readFileSync(join(ROOT, 'agent/deploy/rbac-helm.yaml'), 'utf8'), { namespace: ns });

  const commons = gen3CommonsObjects(o);
  if (!o.empty) {
    const client = KubernetesObjectApi.makeApiClient(cp.kubeConfig);
    for (const obj of commons.objects) {
      await client.create(structuredClone(obj) as KubernetesObject, undefined, undefined, 'helm');
      const status = commons.status[`${obj.kind}/${obj.metadata.name}`];
      // What the controllers would have written by now; the real ones may overwrite it (the HPA's, without metrics).
      if (status) await statusPatch(cp, obj, status);
    }
    const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    await cp.waitFor(`the Gen3 commons in ${ns} to roll out (${commons.deployments.length} Deployments)`, async () => {
      for (const d of commons.deployments) if (!(await rolledOut(apps, ns, d))) return false;
      return true;
    });
  } else {
    commons.objects = [];
  }
  const sa = await cp.serviceAccountKubeConfig(ns, 'dcoc-agent');
  return { commons, agent: { ...sa, username: `system:serviceaccount:${ns}:dcoc-agent` } };
}

async function statusPatch(cp: ControlPlane, obj: { kind?: string; metadata: { name?: string; namespace?: string } }, status: Record<string, unknown>): Promise<void> {
  const args = { name: obj.metadata.name!, namespace: obj.metadata.namespace!, body: { status } };
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  if (obj.kind === 'CronJob') await cp.kubeConfig.makeApiClient(BatchV1Api).patchNamespacedCronJobStatus(args, merge);
  else if (obj.kind === 'HorizontalPodAutoscaler') await cp.kubeConfig.makeApiClient(AutoscalingV2Api).patchNamespacedHorizontalPodAutoscalerStatus(args, merge);
  else throw new Error(`installGen3Commons: no status for ${obj.kind}`);
}
