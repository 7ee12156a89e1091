// Seeds the Kubernetes API test server with a Gen3 commons (the objects
// test/support/gen3-commons.ts renders, created as helm would, with the status
// the real controllers would have written), three EKS-like Nodes, and runs
// the controllers until every Deployment is rolled out with Running, ready pods.
import { gen3CommonsObjects, type Gen3Commons, type Gen3CommonsOptions } from '../gen3-commons';
import { rolloutComplete } from './controller/deployment';
import type { KubeApiServer } from './index';
import type { Deployment } from './types';

export { DEFAULT_GEN3_SERVICES, type Gen3ServiceSpec } from '../gen3-commons';

export interface Gen3SeedOptions extends Gen3CommonsOptions {
  /** Settle rollouts before returning (default true). */
  settle?: boolean;
}

export type Gen3SeedResult = Omit<Gen3Commons, 'objects' | 'status'>;

const PLURAL: Record<string, string> = {
  ConfigMap: 'configmaps',
  Deployment: 'deployments',
  Service: 'services',
  Secret: 'secrets',
  CronJob: 'cronjobs',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
};

export function seedGen3Commons(server: KubeApiServer, opts: Gen3SeedOptions): Gen3SeedResult {
  const o = { namespace: opts.namespace };
  const commons = gen3CommonsObjects(opts);
  const specs = commons.services;

  if (!server.get('namespaces', undefined, o.namespace))
    server.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace } }, { manager: 'helm' });
  for (const [i, node] of ['ip-10-0-1-23.ec2.internal', 'ip-10-0-2-41.ec2.internal', 'ip-10-0-3-17.ec2.internal'].entries()) {
    if (server.get('nodes', undefined, node)) continue;
    server.create(
      'nodes',
      undefined,
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: node,
          labels: { 'kubernetes.io/hostname': node, 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'm5.2xlarge', 'topology.kubernetes.io/zone': `us-east-1${'abc'[i]}` },
        },
        spec: { providerID: `aws:///us-east-1${'abc'[i]}/i-0${i}9f8e7d6c5b4a3210` },
        status: {
          capacity: { cpu: '8', memory: '32386524Ki', pods: '58' },
          allocatable: { cpu: '7910m', memory: '31369692Ki', pods: '58' },
          conditions: [
            { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
            { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
            { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
            { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
          ],
          nodeInfo: { kubeletVersion: 'v1.33.4-eks-1234567', containerRuntimeVersion: 'containerd://1.7.27', osImage: 'Amazon Linux 2023', architecture: 'amd64', operatingSystem: 'linux' },
        },
      },
      { keepStatus: true, manager: 'kubelet' },
    );
  }

  for (const obj of commons.objects) {
    const plural = PLURAL[obj.kind!];
    if (!plural) throw new Error(`seedGen3Commons: no resource for kind ${obj.kind}`);
    server.create(plural, o.namespace, structuredClone(obj), { manager: 'helm' });
    const status = commons.status[`${obj.kind}/${obj.metadata.name}`];
    if (status) server.modify(plural, o.namespace, obj.metadata.name!, (x) => void (x.status = structuredClone(status)), { status: true });
  }

  if (opts.settle ?? true) {
    // Run the controllers synchronously until every rollout is done (bounded).
    for (let i = 0; i < 500; i++) {
      const done = specs.every((s) => {
        const d = server.get<Deployment>('deployments', o.namespace, s.deployment);
        return d !== undefined && rolloutComplete(d) && (d.status?.readyReplicas ?? 0) === s.replicas;
      });
      if (done) break;
      server.controller.tick();
    }
  }
  return { namespace: commons.namespace, services: specs, deployments: commons.deployments };
}
