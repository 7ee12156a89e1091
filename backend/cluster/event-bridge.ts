// Events for every replica's stream. What a replica derives from its own fleet
// (status, services, agents, commons added) each replica derives itself from
// the shared live state (live-sync.ts); the rest is told to the others here.
import type { EventBus } from '../events/bus';
import type { Fleet } from '../fleet/fleet';
import type { Logger } from '../../lib/logger';
import type { Cluster } from './cluster';

const TOLD = new Set(['command.updated', 'deployment.updated', 'commons.removed', 'approval.updated']);

export function bridgeEvents(cluster: Cluster, events: EventBus, fleet: Fleet, log: Logger): () => void {
  if (!cluster.shared) return () => undefined;
  const unsubscribe = events.subscribe((e, origin) => {
    if (origin.remote || !TOLD.has(e.type)) return;
    const { id: _id, at: _at, ...event } = e;
    cluster.tell({ kind: 'event', event }).catch((err: Error) => log.warn({ err: err.message, type: e.type }, 'could not tell the other replicas of an event; their streams miss it'));
  });
  cluster.onMessage((m) => {
    if (m.kind !== 'event') return;
    if (m.event.type === 'commons.removed') fleet.remove(m.event.commons, { remote: true });
    else if (TOLD.has(m.event.type)) events.publish(m.event, { remote: true });
  });
  return unsubscribe;
}
