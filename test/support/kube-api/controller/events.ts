// core/v1 Events as the controllers and the kubelet emit them, with the
// client-go correlator's aggregation: a repeat of the same event bumps
// `count` and `lastTimestamp` instead of adding an object.
import type { Registry } from '../registry';
import { storageType } from '../resources';
import type { KubeObject } from '../types';
import { rfc3339 } from '../util';

export interface EventSource {
  component: string;
  host?: string;
}

let seq = 0n;

export class EventRecorder {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly registry: Registry,
    private enabled = true,
  ) {}

  setEnabled(on: boolean): void {
    this.enabled = on;
  }

  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    if (!this.enabled) return;
    const ns = obj.metadata.namespace ?? 'default';
    const key = [obj.metadata.uid, fieldPath ?? '', type, reason, message, source.component].join('|');
    const now = rfc3339();
    const events = storageType('events');
    const existingName = this.seen.get(key);
    if (existingName) {
      const ev = this.registry.store.get('events', ns, existingName);
      if (ev) {
        ev.count = Number(ev.count ?? 1) + 1;
        ev.lastTimestamp = now;
        this.registry.writeAsController('events', ev);
        return;
      }
    }
    // client-go names events <object>.<hex of UnixNano>.
    const name = `${obj.metadata.name}.${(BigInt(Date.now()) * 1_000_000n + (seq++ % 1_000_000n)).toString(16)}`;
    const involvedObject: Record<string, unknown> = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
    };
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject,
      reason,
      message,
      source,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    this.registry.create(events, ns, ev, { keepStatus: true });
    this.seen.set(key, name);
  }
}
