// The resource types this server serves, with the per-type API behaviour the
// apiserver's registry strategies encode (status subresource, generation
// rules, field selectors, default delete propagation). One table, so adding a
// type is one entry.
import type { GroupResource } from './errors';
import type { KubeObject } from './types';
import { getPath } from './util';

export type Subresource = 'status' | 'scale' | 'log';

export interface ResourceType {
  group: string; // '' = core
  version: string;
  resource: string; // plural, as in the URL
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Key of the stored collection; events.k8s.io/v1 is a view of core events. */
  storage: string;
  /** Has a status subresource: writes to the main resource keep the old status. */
  hasStatus: boolean;
  /** When metadata.generation moves: never, on spec change, or (Deployments) on spec or annotation change. */
  generation: 'none' | 'spec' | 'spec+annotations';
  subresources: Subresource[];
  /** Field selector labels beyond metadata.name / metadata.namespace, with getters. */
  fields: Record<string, (o: KubeObject) => unknown>;
  /** batch/v1 Jobs still orphan their pods unless told otherwise. */
  defaultPropagation: 'Background' | 'Orphan';
  /** Conversion for views over another type's storage. */
  toView?: (stored: KubeObject) => KubeObject;
  fromView?: (view: KubeObject) => KubeObject;
}

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function groupResource(t: ResourceType): GroupResource {
  return { group: t.group, resource: t.resource };
}

const path = (p: string) => (o: KubeObject) => getPath(o, p);

function base(
  group: string,
  version: string,
  resource: string,
  kind: string,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced: true,
    storage: resource,
    hasStatus: false,
    generation: 'none',
    subresources: [],
    fields: {},
    defaultPropagation: 'Background',
    ...extra,
  };
}

// events.k8s.io/v1 <-> core/v1 Event: the apiserver stores one object and
// renames fields per version (note/message, regarding/involvedObject, ...).
function coreEventToEventsV1(e: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata };
  const copy = (to: string, from: string) => {
    if (e[from] !== undefined && e[from] !== null) out[to] = e[from];
  };
  out.eventTime = e.eventTime ?? null;
  copy('series', 'series');
  copy('reportingController', 'reportingComponent');
  copy('reportingInstance', 'reportingInstance');
  copy('action', 'action');
  copy('reason', 'reason');
  copy('regarding', 'involvedObject');
  copy('related', 'related');
  copy('note', 'message');
  copy('type', 'type');
  copy('deprecatedSource', 'source');
  copy('deprecatedFirstTimestamp', 'firstTimestamp');
  copy('deprecatedLastTimestamp', 'lastTimestamp');
  copy('deprecatedCount', 'count');
  return out;
}

function eventsV1ToCoreEvent(e: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: e.metadata };
  const copy = (to: string, from: string) => {
    if (e[from] !== undefined && e[from] !== null) out[to] = e[from];
  };
  copy('eventTime', 'eventTime');
  copy('series', 'series');
  copy('reportingComponent', 'reportingController');
  copy('reportingInstance', 'reportingInstance');
  copy('action', 'action');
  copy('reason', 'reason');
  copy('involvedObject', 'regarding');
  copy('related', 'related');
  copy('message', 'note');
  copy('type', 'type');
  copy('source', 'deprecatedSource');
  copy('firstTimestamp', 'deprecatedFirstTimestamp');
  copy('lastTimestamp', 'deprecatedLastTimestamp');
  copy('count', 'deprecatedCount');
  return out;
}

const coreEventFields: ResourceType['fields'] = {
  'involvedObject.kind': path('involvedObject.kind'),
  'involvedObject.namespace': path('involvedObject.namespace'),
  'involvedObject.name': path('involvedObject.name'),
  'involvedObject.uid': path('involvedObject.uid'),
  'involvedObject.apiVersion': path('involvedObject.apiVersion'),
  'involvedObject.resourceVersion': path('involvedObject.resourceVersion'),
  'involvedObject.fieldPath': path('involvedObject.fieldPath'),
  reason: path('reason'),
  reportingComponent: path('reportingComponent'),
  source: path('source.component'),
  type: path('type'),
};

export const RESOURCE_TYPES: ResourceType[] = [
  base('', 'v1', 'pods', 'Pod', {
    shortNames: ['po'],
    hasStatus: true,
    subresources: ['status', 'log'],
    fields: {
      'spec.nodeName': path('spec.nodeName'),
      'spec.restartPolicy': path('spec.restartPolicy'),
      'spec.schedulerName': path('spec.schedulerName'),
      'spec.serviceAccountName': path('spec.serviceAccountName'),
      'status.phase': path('status.phase'),
      'status.podIP': path('status.podIP'),
      'status.nominatedNodeName': path('status.nominatedNodeName'),
    },
  }),
  base('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  base('', 'v1', 'secrets', 'Secret', { fields: { type: path('type') } }),
  base('', 'v1', 'services', 'Service', { shortNames: ['svc'], hasStatus: true, subresources: ['status'] }),
  base('', 'v1', 'events', 'Event', { shortNames: ['ev'], fields: coreEventFields }),
  base('', 'v1', 'namespaces', 'Namespace', {
    shortNames: ['ns'],
    namespaced: false,
    hasStatus: true,
    subresources: ['status'],
    fields: { 'status.phase': path('status.phase') },
  }),
  base('', 'v1', 'nodes', 'Node', {
    shortNames: ['no'],
    namespaced: false,
    hasStatus: true,
    subresources: ['status'],
    fields: { 'spec.unschedulable': (o) => String(getPath(o, 'spec.unschedulable') ?? false) },
  }),
  base('apps', 'v1', 'deployments', 'Deployment', {
    shortNames: ['deploy'],
    hasStatus: true,
    generation: 'spec+annotations',
    subresources: ['status', 'scale'],
  }),
  base('apps', 'v1', 'replicasets', 'ReplicaSet', {
    shortNames: ['rs'],
    hasStatus: true,
    generation: 'spec',
    subresources: ['status', 'scale'],
    fields: { 'status.replicas': (o) => String(getPath(o, 'status.replicas') ?? 0) },
  }),
  base('batch', 'v1', 'jobs', 'Job', {
    hasStatus: true,
    generation: 'spec',
    subresources: ['status'],
    defaultPropagation: 'Orphan',
    fields: { 'status.successful': (o) => String(getPath(o, 'status.succeeded') ?? 0) },
  }),
  base('batch', 'v1', 'cronjobs', 'CronJob', { shortNames: ['cj'], hasStatus: true, generation: 'spec', subresources: ['status'] }),
  base('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', {
    shortNames: ['hpa'],
    hasStatus: true,
    generation: 'spec',
    subresources: ['status'],
  }),
  base('events.k8s.io', 'v1', 'events', 'Event', {
    shortNames: ['ev'],
    storage: 'events',
    fields: coreEventFields,
    toView: coreEventToEventsV1,
    fromView: eventsV1ToCoreEvent,
  }),
];

export function findType(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

/** The canonical type of a storage key (the non-view one). */
export function storageType(storage: string): ResourceType {
  const t = RESOURCE_TYPES.find((x) => x.storage === storage && !x.toView);
  if (!t) throw new Error(`unknown storage ${storage}`);
  return t;
}

/** Groups in discovery order, for /apis. */
export function apiGroups(): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const t of RESOURCE_TYPES) {
    if (!t.group) continue;
    let g = out.find((x) => x.group === t.group);
    if (!g) out.push((g = { group: t.group, versions: [] }));
    if (!g.versions.includes(t.version)) g.versions.push(t.version);
  }
  return out;
}
