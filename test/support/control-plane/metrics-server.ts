// The real metrics-server (sigs.k8s.io/metrics-server, built by
// scripts/tools/go-tools.ts) on the tests' control plane, registered as
// kube-apiserver's aggregated API v1beta1.metrics.k8s.io, scraping the
// resource metrics kwok simulates (kwok-metrics.ts) at each Node's
// InternalIP and kubelet port. As upstream's manifests/base except where
// there is no cluster network: the APIService's Service is an ExternalName
// for localhost (the aggregator dials https://<externalName>:<port>;
// k8s.io/apiserver pkg/util/proxy ResolveCluster), not a ClusterIP.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { findGoTool } from '../../../scripts/tools/go-tools';

/** The metrics-server binary, or why it is missing. */
export function findMetricsServer(): { bin: string } | { missing: string } {
  const override = process.env.DCOC_KUBE_BIN_DIR;
  const dir = override || findGoTool('metrics-server');
  const bin = dir && join(dir, 'metrics-server');
  if (bin && existsSync(bin)) return { bin };
  return { missing: `metrics-server ${override ? `not in DCOC_KUBE_BIN_DIR=${override}` : 'not built: run `node --import tsx scripts/tools/go-tools.ts metrics-server`'}` };
}

export const METRICS_APISERVICE = 'v1beta1.metrics.k8s.io';

/** metrics-server's arguments: serving on 127.0.0.1:`port`, scraping every 10 s (its minimum) over TLS checked against the cluster CA. */
export function metricsServerArgs(o: { port: number; kubeconfig: string; cert: string; key: string; caCert: string }): string[] {
  return [
    `--secure-port=${o.port}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${o.cert}`,
    `--tls-private-key-file=${o.key}`,
    `--kubeconfig=${o.kubeconfig}`,
    `--authentication-kubeconfig=${o.kubeconfig}`,
    `--authorization-kubeconfig=${o.kubeconfig}`,
    '--kubelet-preferred-address-types=InternalIP',
    '--kubelet-use-node-status-port',
    `--kubelet-certificate-authority=${o.caCert}`,
    '--metric-resolution=10s',
    // Below 9/10 of the resolution, as metrics-server requires (default 10 s).
    '--kubelet-request-timeout=5s',
  ];
}

/** The Service and APIService that route metrics.k8s.io to a server on localhost:`port` (upstream's apiservice.yaml, insecureSkipTLSVerify as there). */
export function metricsApiObjects(port: number): KubernetesObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: 'kube-system' },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port, protocol: 'TCP' }] },
    } as KubernetesObject,
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: METRICS_APISERVICE },
      spec: {
        service: { name: 'metrics-server', namespace: 'kube-system', port },
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    } as KubernetesObject,
  ];
}

export async function applyAdmin(kc: KubeConfig, objs: KubernetesObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of objs) await client.patch(obj, undefined, undefined, 'dcoc-test', true, PatchStrategy.ServerSideApply);
}
