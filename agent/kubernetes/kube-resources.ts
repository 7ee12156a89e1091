// CPU and memory of the commons' pods from metrics.k8s.io/v1beta1 PodMetrics
// (served by metrics-server through the apiserver's aggregator), summed per
// pod, beside the requests and limits of the pods' containers (from the
// collector's pod watch). A cluster without metrics-server, or a Role that
// does not grant it, gives available:false with what to do.
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { PodResourceFacts, ResourceFacts } from '../core/types';
import type { KubeCollector } from './kube-collector';
import { KubeHttpError, kubeGetJson } from './kube-http';
import { quantity } from './kube-quantity';
import { selects, serviceOfDeployment } from './workloads';

/** The answer of PodMetrics list (k8s.io/metrics pkg/apis/metrics/v1beta1), the fields read. */
interface PodMetricsList {
  items?: { metadata?: { name?: string }; containers?: { name?: string; usage?: { cpu?: string; memory?: string } }[] }[];
}

const TIMEOUT_MS = 10_000;

export interface KubeResourcesDeps {
  kc: KubeConfig;
  namespace: string;
  collector: KubeCollector;
}

/** Why metrics.k8s.io gave nothing, as an operator reads it. */
export function unavailableDetail(e: unknown): string {
  if (e instanceof KubeHttpError) {
    if (e.code === 404) return `this cluster serves no metrics.k8s.io API (no metrics-server installed): install metrics-server to see CPU and memory (apiserver: ${e.message})`;
    if (e.code === 503) return `metrics.k8s.io is registered but its server does not answer (metrics-server down or not ready yet): check the metrics-server pods and its APIService v1beta1.metrics.k8s.io (apiserver: ${e.message})`;
    if (e.code === 403) return `forbidden: ${e.message}. The agent's Role does not grant list on pods in apiGroup metrics.k8s.io: add it (agent/deploy/rbac.yaml, or the dcoc-agent Helm chart's Role) and apply it to the commons namespace`;
    return `metrics.k8s.io answered ${e.code}${e.reason ? ` ${e.reason}` : ''}: ${e.message}`;
  }
  return `metrics.k8s.io could not be read: ${(e as Error)?.message ?? String(e)}`;
}

function sumContainers(pod: V1Pod | undefined, pick: (r: { requests?: Record<string, string>; limits?: Record<string, string> }) => string | undefined): number {
  return (pod?.spec?.containers ?? []).reduce((n, c) => n + quantity(pick(c.resources ?? {})), 0);
}

export async function kubeResources(d: KubeResourcesDeps, signal: AbortSignal = AbortSignal.timeout(TIMEOUT_MS)): Promise<ResourceFacts> {
  let list: PodMetricsList;
  try {
    list = await kubeGetJson<PodMetricsList>(d.kc, `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(d.namespace)}/pods`, {}, signal);
  } catch (e) {
    return { available: false, detail: unavailableDetail(e) };
  }
  const pods = new Map(d.collector.podItems().map((p) => [p.metadata?.name ?? '', p]));
  const deployments = d.collector.deployments.items();
  const out: PodResourceFacts[] = (list.items ?? []).map((m) => {
    const name = m.metadata?.name ?? '';
    const pod = pods.get(name);
    const dep = pod ? deployments.find((x) => selects(x, pod)) : undefined;
    const usage = m.containers ?? [];
    return {
      pod: name,
      service: (dep && serviceOfDeployment(dep)) || '',
      cpuCores: usage.reduce((n, c) => n + quantity(c.usage?.cpu), 0),
      memoryBytes: usage.reduce((n, c) => n + quantity(c.usage?.memory), 0),
      cpuRequestCores: sumContainers(pod, (r) => r.requests?.cpu),
      cpuLimitCores: sumContainers(pod, (r) => r.limits?.cpu),
      memoryRequestBytes: sumContainers(pod, (r) => r.requests?.memory),
      memoryLimitBytes: sumContainers(pod, (r) => r.limits?.memory),
    };
  });
  out.sort((a, b) => a.pod.localeCompare(b.pod));
  return { available: true, pods: out };
}
