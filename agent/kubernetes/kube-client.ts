// Kubernetes API access for the agent: in-cluster service account config, or
// a kubeconfig file, and the typed clients the collector and executors use.
import { AppsV1Api, AutoscalingV2Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export interface KubeClients {
  kc: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
  batch: BatchV1Api;
  autoscaling: AutoscalingV2Api;
}

export function kubeConfigFrom(opts: { kubeconfig?: string; inCluster?: boolean }): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else if (opts.inCluster ?? !!process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

export function kubeClients(kc: KubeConfig): KubeClients {
  return {
    kc,
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
  };
}

/** The HTTP status of a client-node ApiException, or 0. */
export function statusOf(e: unknown): number {
  return typeof (e as { code?: unknown })?.code === 'number' ? (e as { code: number }).code : 0;
}

/** The Status message of a client-node ApiException. */
export function messageOf(e: unknown): string {
  const body = (e as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return (e as Error)?.message ?? String(e);
}

/** The Status `reason` of a client-node ApiException (Forbidden, NotFound, ...), or ''. */
function reasonOf(e: unknown): string {
  const body = (e as { body?: unknown })?.body;
  if (typeof body !== 'string') return '';
  try {
    return (JSON.parse(body) as { reason?: string }).reason ?? '';
  } catch {
    return '';
  }
}

/**
 * One line for an operator: what the apiserver refused and what to do about
 * it. client-node's own message is "HTTP-Code: 403 Message: Unknown API
 * Status Code! Body: ..." with the Status object escaped inside.
 */
export function describeKubeError(e: unknown): string {
  const code = statusOf(e);
  if (!code) return (e as Error)?.message ?? String(e);
  const message = messageOf(e);
  if (code === 403) {
    return `forbidden: ${message}. The agent's Role does not grant this: add the verb and resource to agent/deploy/rbac.yaml (rbac-helm.yaml for helm deploys), apply it to the commons namespace, and retry`;
  }
  if (code === 401) {
    return `unauthorized: the Kubernetes API did not accept the agent's credentials (${message}); check its ServiceAccount token or --kubeconfig`;
  }
  return `Kubernetes API ${code}${reasonOf(e) ? ` ${reasonOf(e)}` : ''}: ${message}`;
}
