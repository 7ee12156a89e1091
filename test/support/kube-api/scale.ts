// The `/scale` subresource: an autoscaling/v1 Scale view of a Deployment or
// ReplicaSet. Reads project spec.replicas / status.replicas / the selector;
// writes (PUT, or any PATCH type applied to the Scale) change only
// spec.replicas, with the Scale's resourceVersion as the precondition.
import { parse as parseYaml } from 'yaml';
import { errors } from './errors';
import { jsonPatch, mergePatch, PatchError } from './patch-json';
import { strategicMergePatch } from './patch-strategic';
import { PATCH_TYPES, type Registry, type WriteOptions } from './registry';
import { groupResource, type ResourceType } from './resources';
import { labelSelectorString } from './selectors';
import { isObject, type Deployment, type KubeObject } from './types';

export function toScale(o: KubeObject): KubeObject {
  const d = o as Deployment;
  const m = d.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: d.spec.replicas ?? 1 },
    status: { replicas: d.status?.replicas ?? 0, selector: labelSelectorString(d.spec.selector) },
  };
}

export function getScale(reg: Registry, t: ResourceType, ns: string, name: string): KubeObject {
  return toScale(reg.get(t, ns, name));
}

export function replaceScale(reg: Registry, t: ResourceType, ns: string, name: string, scale: unknown, o: WriteOptions): KubeObject {
  if (!isObject(scale) || !isObject(scale.spec)) throw errors.badRequest('Scale.spec is missing');
  const replicas = scale.spec.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
    throw errors.invalid('Scale', 'autoscaling', name, [
      { field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
    ]);
  const live = reg.get(t, ns, name) as Deployment;
  const rv = isObject(scale.metadata) ? scale.metadata.resourceVersion : undefined;
  if (typeof rv === 'string' && rv !== '' && rv !== live.metadata.resourceVersion) throw errors.conflict(groupResource(t), name);
  live.spec.replicas = replicas;
  return toScale(reg.update(t, ns, name, live, { ...o, subresource: 'scale' }));
}

export function patchScale(
  reg: Registry,
  t: ResourceType,
  ns: string,
  name: string,
  contentType: string,
  raw: string,
  o: WriteOptions,
): KubeObject {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const accepted = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];
  if (!(accepted as string[]).includes(type)) throw errors.unsupportedMediaType(type, accepted);
  let body: unknown;
  try {
    body = type === PATCH_TYPES.apply ? parseYaml(raw) : JSON.parse(raw);
  } catch (e) {
    throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  const current = getScale(reg, t, ns, name);
  let next: unknown;
  try {
    if (type === PATCH_TYPES.json) next = jsonPatch(current, body);
    else if (type === PATCH_TYPES.merge) next = mergePatch(current, body);
    else next = strategicMergePatch(current, body);
  } catch (e) {
    if (e instanceof PatchError) throw errors.patchRejected(e.message);
    throw e;
  }
  return replaceScale(reg, t, ns, name, next, o);
}
