// GET pods/{name}/log: text/plain container logs with the kubelet's refusals
// (no container named on a multi-container pod, container still waiting,
// no previous instance). Tests set the text; a short startup banner is the default.
import { errors } from './errors';
import type { Registry } from './registry';
import type { ResourceType } from './resources';
import type { Pod } from './types';

export class PodLogs {
  private readonly logs = new Map<string, string>();

  private key(ns: string, pod: string, container: string, previous: boolean): string {
    return `${ns}/${pod}/${container}/${previous ? 'previous' : 'current'}`;
  }

  set(ns: string, pod: string, container: string, text: string, opts: { previous?: boolean } = {}): void {
    this.logs.set(this.key(ns, pod, container, !!opts.previous), text);
  }

  get(ns: string, pod: string, container: string, previous: boolean): string | undefined {
    return this.logs.get(this.key(ns, pod, container, previous));
  }
}

export function readPodLog(reg: Registry, podType: ResourceType, logs: PodLogs, ns: string, name: string, q: Record<string, string>): string {
  const pod = reg.get(podType, ns, name) as Pod;
  const names = pod.spec.containers.map((c) => c.name);
  let container = q.container;
  if (!container) {
    if (names.length !== 1)
      throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    container = names[0];
  }
  if (!names.includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  const status = pod.status?.containerStatuses?.find((c) => c.name === container);
  const previous = q.previous === 'true';
  if (previous && (status?.restartCount ?? 0) === 0)
    throw errors.badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  if (!previous && (!status || status.state.waiting) && !status?.lastState.terminated)
    throw errors.badRequest(
      `container "${container}" in pod "${name}" is waiting to start: ${status?.state.waiting?.reason ?? 'ContainerCreating'}`,
    );
  const image = pod.spec.containers.find((c) => c.name === container)?.image ?? '';
  const started = status?.state.running?.startedAt ?? pod.status?.startTime ?? new Date().toISOString();
  let text =
    logs.get(ns, name, container, previous) ??
    `${started} INFO starting ${container} (${image})\n${started} INFO listening on 0.0.0.0:80\n`;
  if (q.tailLines) {
    const n = Number(q.tailLines);
    const lines = text.split('\n');
    const trailing = lines[lines.length - 1] === '' ? lines.pop() : undefined;
    text = lines.slice(Math.max(0, lines.length - n)).join('\n') + (trailing !== undefined ? '\n' : '');
  }
  if (q.limitBytes) text = text.slice(0, Number(q.limitBytes));
  return text;
}
