// Answers an InspectRequest from the platform's Inspector: the namespace's
// Kubernetes events (newest first, at most EVENTS_MAX) or the pods' resources.
// One InspectResult, with an error when the platform cannot tell.
import type { InspectRequestMsg, InspectResultMsg, KubeEventMsg, PodResourcesMsg } from '../../contracts/agent-messages';
import type { Inspector, KubeEventFacts, PodResourceFacts } from './types';

export const EVENTS_MAX = 1000;
const TEXT_MAX = 2000;

/** The capabilities an inspector gives the agent (advertised in hello). */
export function inspectCapabilities(inspector: Inspector | undefined): string[] {
  if (!inspector) return [];
  return [inspector.logs && 'inspect:logs', inspector.events && 'inspect:events', inspector.resources && 'inspect:resources'].filter((c): c is string => !!c);
}

const timeOf = (e: KubeEventFacts) => Date.parse(e.lastTime ?? e.firstTime ?? '') || 0;
const cut = (s: string, n = TEXT_MAX) => (s.length > n ? `${s.slice(0, n)}…` : s);

function eventMsg(e: KubeEventFacts): KubeEventMsg {
  return {
    type: e.type,
    reason: cut(e.reason, 256),
    message: cut(e.message),
    object_kind: cut(e.objectKind, 64),
    object_name: cut(e.objectName, 253),
    service: e.service,
    count: Math.max(0, Math.min(2 ** 31 - 1, Math.trunc(e.count) || 0)),
    first_time: e.firstTime ?? '',
    last_time: e.lastTime ?? '',
    source: cut(e.source, 256),
  };
}

/** A request or limit the container does not set is sent as 0 (contracts/agent.proto PodResources). */
function podMsg(p: PodResourceFacts): PodResourcesMsg {
  const n = (v: number) => (Number.isFinite(v) && v > 0 ? v : 0);
  return {
    pod: p.pod,
    service: p.service,
    cpu_cores: n(p.cpuCores),
    memory_bytes: n(p.memoryBytes),
    cpu_request_cores: n(p.cpuRequestCores),
    cpu_limit_cores: n(p.cpuLimitCores),
    memory_request_bytes: n(p.memoryRequestBytes),
    memory_limit_bytes: n(p.memoryLimitBytes),
  };
}

export async function inspect(inspector: Inspector | undefined, req: InspectRequestMsg): Promise<InspectResultMsg> {
  const answer = (r: Partial<InspectResultMsg>): InspectResultMsg => ({ id: req.id, error: '', events: undefined, resources: undefined, ...r });
  try {
    if (req.kind === 'events') {
      if (!inspector?.events) return answer({ error: 'this agent cannot list Kubernetes events (no inspect:events); upgrade the agent' });
      const facts = await inspector.events(req.service || undefined);
      const items = facts
        .filter((e) => !req.service || e.service === req.service)
        .sort((a, b) => timeOf(b) - timeOf(a))
        .slice(0, EVENTS_MAX)
        .map(eventMsg);
      return answer({ events: { items } });
    }
    if (req.kind === 'resources') {
      if (!inspector?.resources) return answer({ error: 'this agent cannot read resources (no inspect:resources); upgrade the agent' });
      const r = await inspector.resources();
      return answer({ resources: r.available ? { available: true, detail: '', pods: r.pods.map(podMsg) } : { available: false, detail: cut(r.detail), pods: [] } });
    }
    return answer({ error: `unknown inspect kind ${cut(req.kind, 64)}; this agent answers events and resources` });
  } catch (e) {
    return answer({ error: `the agent could not read ${req.kind}: ${cut((e as Error).message ?? String(e), 500)}` });
  }
}
