// Container logs on the tests' control plane: kwok plays each fake Node's
// kubelet, and its server answers the kubelet's /containerLogs API (what
// kube-apiserver calls for pods/log, at the Node's InternalIP and
// daemonEndpoints.kubeletEndpoint.Port) from the files a kwok.x-k8s.io/v1alpha1
// `Logs` object names for a pod (sigs.k8s.io/kwok v0.8.0
// pkg/kwok/server/debugging_logs.go: logsFile, previousLogsFile for
// previous=true; read with k8s.io/cri-client's ReadLogs, so tailLines,
// sinceTime, limitBytes, timestamps and follow behave as on a kubelet).
// A test appends lines here, in the CRI log format a container runtime
// writes; kwok serves them, and follows a file as it grows.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';

export interface PodLogLine {
  text: string;
  /** Default: now. */
  time?: Date;
  /** Default stdout. */
  stream?: 'stdout' | 'stderr';
}

export interface PodLogs {
  /**
   * Appends lines to a container's log of a pod (its previous container's
   * with `previous`), and waits until kwok serves that container's log.
   */
  append(namespace: string, pod: string, container: string, lines: (string | PodLogLine)[], opts?: { previous?: boolean }): Promise<void>;
}

/** One line as containerd and CRI-O write it: "<RFC3339Nano> <stream> F <text>" (k8s.io/cri-client pkg/logs). */
export function criLine(l: PodLogLine): string {
  const iso = (l.time ?? new Date()).toISOString();
  return `${iso.slice(0, 23)}000000Z ${l.stream ?? 'stdout'} F ${l.text}\n`;
}

export function podLogs(o: { dir: string; admin: KubeConfig; kwokUrl: string; waitFor: (what: string, check: () => Promise<unknown>) => Promise<void> }): PodLogs {
  const dir = join(o.dir, 'pod-logs');
  mkdirSync(dir, { recursive: true });
  const client = KubernetesObjectApi.makeApiClient(o.admin);
  /** namespace/pod → the containers its Logs object lists. */
  const known = new Map<string, Set<string>>();
  const file = (ns: string, pod: string, c: string, previous: boolean) => join(dir, `${ns}_${pod}_${c}${previous ? '.previous' : ''}.log`);

  async function register(ns: string, pod: string, container: string): Promise<void> {
    const key = `${ns}/${pod}`;
    const containers = known.get(key) ?? new Set<string>();
    if (containers.has(container)) return;
    containers.add(container);
    known.set(key, containers);
    for (const c of containers) {
      for (const previous of [false, true]) {
        const f = file(ns, pod, c, previous);
        appendFileSync(f, '');
      }
    }
    const logs = {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Logs',
      metadata: { name: pod, namespace: ns },
      spec: { logs: [...containers].map((c) => ({ containers: [c], logsFile: file(ns, pod, c, false), previousLogsFile: file(ns, pod, c, true), follow: true })) },
    };
    await client.patch(logs as KubernetesObject, undefined, undefined, 'dcoc-test', true, PatchStrategy.ServerSideApply);
    // kwok reads Logs objects through a watch: wait until its server knows this container.
    const url = `${o.kwokUrl}/containerLogs/${ns}/${pod}/${container}?tailLines=1`;
    await o.waitFor(`kwok to serve the logs of ${key} ${container}`, async () => {
      try {
        return (await fetch(url, { signal: AbortSignal.timeout(5000) })).ok;
      } catch {
        return false;
      }
    });
  }

  return {
    async append(ns, pod, container, lines, opts = {}) {
      await register(ns, pod, container);
      const text = lines.map((l) => criLine(typeof l === 'string' ? { text: l } : l)).join('');
      appendFileSync(file(ns, pod, container, !!opts.previous), text);
    },
  };
}

