// Discovery documents (/api, /apis, /api/v1, /apis/{g}/{v}, /version).
// client-node's KubernetesObjectApi (generic apply/patch by kind) reads the
// APIResourceList to map a kind to its plural path, so these must list every
// served resource and subresource.
import { apiGroups, RESOURCE_TYPES, type ResourceType } from './resources';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resourceEntries(t: ResourceType): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: VERBS, ...(t.shortNames ? { shortNames: t.shortNames } : {}) },
  ];
  for (const sub of t.subresources) {
    if (sub === 'scale')
      out.push({ name: `${t.resource}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    else if (sub === 'status')
      out.push({ name: `${t.resource}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
    else out.push({ name: `${t.resource}/log`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get'] });
  }
  return out;
}

export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function groupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: apiGroups().map((g) => {
      const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
      return { name: g.group, versions, preferredVersion: versions[0] };
    }),
  };
}

export function versionInfo(): Record<string, unknown> {
  return {
    major: '1',
    minor: '33',
    gitVersion: 'v1.33.4',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-06-01T00:00:00Z',
    goVersion: 'go1.24.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
