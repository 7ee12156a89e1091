// `helm template` output → server-side apply, object by object, in helm's
// install order (config before the workloads that mount it). The agent's
// field manager takes the fields it sends (force, as a deploy tool must);
// fields nobody sends any more stay with whoever owns them. Hooks are not
// run (helm would run them as Jobs around the upgrade) and cluster-scoped
// objects are refused: both need helm itself (--helm-mode upgrade).
import { type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { ExecError } from '../executors/executor';
import { type KubeClients, messageOf } from './kube-client';

/** helm's install order (pkg/release/util/kind_sorter.go), kinds not listed go last. */
const INSTALL_ORDER = [
  'PriorityClass', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget',
  'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim',
  'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role',
  'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet',
  'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];
const CLUSTER_SCOPED = new Set(['Namespace', 'PriorityClass', 'StorageClass', 'PersistentVolume', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'APIService', 'PodSecurityPolicy']);

export interface Rendered {
  objects: KubernetesObject[];
  /** `Kind/name` of hook objects left out. */
  hooks: string[];
}

const idOf = (o: KubernetesObject) => `${o.kind}/${o.metadata?.name ?? '?'}`;

export function parseManifests(text: string, namespace: string): Rendered {
  const objects: KubernetesObject[] = [];
  const hooks: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new ExecError(`helm template produced YAML that does not parse: ${doc.errors[0].message}`);
    const o = doc.toJS() as KubernetesObject | null;
    if (!o || typeof o !== 'object') continue;
    if (!o.apiVersion || !o.kind || !o.metadata?.name) throw new ExecError(`helm template produced an object without apiVersion, kind or metadata.name: ${JSON.stringify(o).slice(0, 200)}`);
    if (o.metadata.annotations?.['helm.sh/hook']) {
      hooks.push(idOf(o));
      continue;
    }
    if (CLUSTER_SCOPED.has(o.kind)) {
      throw new ExecError(`the chart renders cluster-scoped ${idOf(o)}, which the agent's namespaced role cannot apply; nothing was applied. Install it once with helm as a cluster admin, or run the agent with --helm-mode upgrade and a ClusterRole`);
    }
    if (o.metadata.namespace && o.metadata.namespace !== namespace) {
      throw new ExecError(`the chart renders ${idOf(o)} in namespace ${o.metadata.namespace}, outside this commons (${namespace}); nothing was applied`);
    }
    o.metadata.namespace = namespace;
    objects.push(o);
  }
  const rank = (k: string) => {
    const i = INSTALL_ORDER.indexOf(k);
    return i < 0 ? INSTALL_ORDER.length : i;
  };
  objects.sort((a, b) => rank(a.kind!) - rank(b.kind!));
  return { objects, hooks };
}

/** Server-side applies every object; returns what the API server answered, in order. */
export async function applyManifests(k: KubeClients, objects: KubernetesObject[], fieldManager: string, signal: AbortSignal): Promise<KubernetesObject[]> {
  const api = KubernetesObjectApi.makeApiClient(k.kc);
  const out: KubernetesObject[] = [];
  for (const [i, o] of objects.entries()) {
    if (signal.aborted) throw new ExecError(`cancelled after applying ${i} of ${objects.length} objects: ${String(signal.reason ?? 'by the control service')}`);
    try {
      out.push(await api.patch(o, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply));
    } catch (e) {
      throw new ExecError(`server-side apply of ${idOf(o)} failed after ${i} of ${objects.length} objects were applied: ${messageOf(e)}`);
    }
  }
  return out;
}
