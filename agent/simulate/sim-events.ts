// The simulated commons' Kubernetes events: what the controllers and the
// kubelet record as the model changes, aggregated as client-go's event
// recorder does (an identical event — same object, type, reason, message and
// source — raises the first one's count and lastTimestamp instead of adding
// one: k8s.io/client-go/tools/record/events_cache.go EventLogger), and kept
// as the API server keeps them (--event-ttl, 1h by default). Bounded: the
// oldest go first past MAX_EVENTS. The aggregation of >10 similar events with
// different messages into "(combined from similar events)" is not simulated.
import type { KubeEventFacts } from '../core/types';

export const EVENT_TTL_MS = 3_600_000;
export const MAX_EVENTS = 1000;

export interface SimEventInput {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  objectKind: string;
  objectName: string;
  service: string;
  source: string;
}

interface Stored extends SimEventInput {
  count: number;
  firstMs: number;
  lastMs: number;
}

const keyOf = (e: SimEventInput) => [e.objectKind, e.objectName, e.type, e.reason, e.source, e.message].join('\u0000');

export class SimEvents {
  private readonly byKey = new Map<string, Stored>();

  record(e: SimEventInput, atMs = Date.now()): void {
    const key = keyOf(e);
    const had = this.byKey.get(key);
    if (had) {
      had.count += 1;
      had.lastMs = Math.max(had.lastMs, atMs);
      // Re-insert so the map stays in order of last change (the oldest are dropped first).
      this.byKey.delete(key);
      this.byKey.set(key, had);
    } else {
      this.byKey.set(key, { ...e, count: 1, firstMs: atMs, lastMs: atMs });
    }
    while (this.byKey.size > MAX_EVENTS) this.byKey.delete(this.byKey.keys().next().value!);
  }

  /** The events not yet expired (only `service`'s when given), newest first. */
  list(service?: string, now = Date.now()): KubeEventFacts[] {
    for (const [k, e] of this.byKey) if (now - e.lastMs > EVENT_TTL_MS) this.byKey.delete(k);
    return [...this.byKey.values()]
      .filter((e) => !service || e.service === service)
      .sort((a, b) => b.lastMs - a.lastMs)
      .map((e) => ({
        type: e.type,
        reason: e.reason,
        message: e.message,
        objectKind: e.objectKind,
        objectName: e.objectName,
        service: e.service,
        count: e.count,
        firstTime: new Date(e.firstMs).toISOString(),
        lastTime: new Date(e.lastMs).toISOString(),
        source: e.source,
      }));
  }

  get size(): number {
    return this.byKey.size;
  }
}
