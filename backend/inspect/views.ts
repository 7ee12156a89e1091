// What the API shows of an agent's answers (contracts/api.ts): log lines
// merged by time across pods, Kubernetes events warnings first then newest
// first, resources summed per service.
import type { CommonsResources, KubeEventView, LogLineView, ServiceResourcesView } from '../../contracts/api';
import type { KubeEventMsg, LogLineMsg, ResourceListMsg } from '../../contracts/agent-messages';

export function logLineView(l: LogLineMsg): LogLineView {
  const t = Number(l.time_ms);
  return { time: t ? new Date(t).toISOString() : null, pod: l.pod, container: l.container, line: l.text };
}

/**
 * Lines of several pods in time order. A line without a time keeps its place
 * after its pod's previous line (it takes that line's time), and lines of the
 * same time keep the order they arrived in.
 */
export function mergeByTime(lines: LogLineMsg[]): LogLineMsg[] {
  const lastOfPod = new Map<string, number>();
  const keyed = lines.map((l, i) => {
    const t = Number(l.time_ms) || lastOfPod.get(l.pod) || 0;
    lastOfPod.set(l.pod, t);
    return { l, t, i };
  });
  keyed.sort((a, b) => a.t - b.t || a.i - b.i);
  return keyed.map((k) => k.l);
}

const iso = (v: string) => {
  const t = Date.parse(v);
  return v && !Number.isNaN(t) ? new Date(t).toISOString() : null;
};

export function kubeEventView(e: KubeEventMsg): KubeEventView {
  return {
    type: e.type === 'Warning' ? 'Warning' : 'Normal',
    reason: e.reason,
    message: e.message,
    objectKind: e.object_kind,
    objectName: e.object_name,
    service: e.service || null,
    count: e.count,
    firstTime: iso(e.first_time),
    lastTime: iso(e.last_time),
    source: e.source,
  };
}

const eventTime = (e: KubeEventView) => Date.parse(e.lastTime ?? e.firstTime ?? '') || 0;

/** Warnings first, then newest first (by last seen). */
export function sortEvents(items: KubeEventView[]): KubeEventView[] {
  const rank = (e: KubeEventView) => (e.type === 'Warning' ? 0 : 1);
  return [...items].sort((a, b) => rank(a) - rank(b) || eventTime(b) - eventTime(a));
}

/**
 * Per-service sums of the pods' usage, requests and limits. The agent sends
 * 0 for a request or limit a container does not set, so a sum with any such
 * pod is not a bound at all: null.
 */
export function resourcesView(r: ResourceListMsg): CommonsResources {
  if (!r.available) return { available: false, detail: r.detail || 'the agent cannot read metrics.k8s.io', items: [] };
  const by = new Map<string, ServiceResourcesView>();
  const add = (a: number | null, v: number) => (a === null || !(v > 0) ? null : a + v);
  for (const p of r.pods) {
    const s = by.get(p.service) ?? { service: p.service, pods: 0, cpuCores: 0, memoryBytes: 0, cpuRequestCores: 0, cpuLimitCores: 0, memoryRequestBytes: 0, memoryLimitBytes: 0 };
    s.pods++;
    s.cpuCores += p.cpu_cores;
    s.memoryBytes += p.memory_bytes;
    s.cpuRequestCores = add(s.cpuRequestCores, p.cpu_request_cores);
    s.cpuLimitCores = add(s.cpuLimitCores, p.cpu_limit_cores);
    s.memoryRequestBytes = add(s.memoryRequestBytes, p.memory_request_bytes);
    s.memoryLimitBytes = add(s.memoryLimitBytes, p.memory_limit_bytes);
    by.set(p.service, s);
  }
  return { available: true, detail: r.detail, items: [...by.values()].sort((a, b) => a.service.localeCompare(b.service)) };
}
