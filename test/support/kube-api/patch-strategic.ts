// Strategic merge patch (application/strategic-merge-patch+json), and the
// list semantics it shares with server-side apply. The real apiserver reads
// `patchStrategy`/`patchMergeKey` (SMP) and `x-kubernetes-list-type` (SSA)
// from Go struct tags / OpenAPI; here a small table keyed by field name
// covers the built-in types the agent touches (pod templates, metadata).
import { PatchError } from './patch-json';
import { isObject } from './types';
import { clone } from './util';

export type ListStrategy = { kind: 'map'; key: string } | { kind: 'set' } | { kind: 'atomic' };

const MAP_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  containerStatuses: 'name',
};

/**
 * Strategy for the list at `path` (field names from the root, list indexes
 * omitted). Unlisted lists are atomic: a patch replaces them whole.
 */
export function listStrategy(path: string[]): ListStrategy {
  const field = path[path.length - 1];
  if (field === 'finalizers') return { kind: 'set' };
  if (field === 'ports') {
    const parent = path[path.length - 2];
    const inContainer = parent === 'containers' || parent === 'initContainers' || parent === 'ephemeralContainers';
    return { kind: 'map', key: inContainer ? 'containerPort' : 'port' };
  }
  const key = MAP_KEYS[field];
  return key ? { kind: 'map', key } : { kind: 'atomic' };
}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';

/** Applies a strategic merge patch to `target`; returns a new value. */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  return mergeValue(target, patch, []);
}

function mergeValue(target: unknown, patch: unknown, path: string[]): unknown {
  if (!isObject(patch)) return clone(patch);
  return mergeMap(isObject(target) ? target : {}, patch, path);
}

function mergeMap(target: Record<string, unknown>, patch: Record<string, unknown>, path: string[]): Record<string, unknown> | undefined {
  const directive = patch[DIRECTIVE];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const rest = { ...patch };
    delete rest[DIRECTIVE];
    return clone(rest);
  }
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)}`);

  let out: Record<string, unknown> = clone(target);
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError(`${RETAIN_KEYS} must be a list`);
    out = Object.fromEntries(Object.entries(out).filter(([k]) => retain.includes(k)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ORDER)) continue;
    if (k.startsWith(DELETE_FROM_PRIMITIVE)) {
      const field = k.slice(DELETE_FROM_PRIMITIVE.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = (out[field] as unknown[]).filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const childPath = [...path, k];
    if (Array.isArray(v)) {
      out[k] = mergeList(out[k], v, childPath);
      continue;
    }
    if (isObject(v)) {
      const merged = mergeMap(isObject(out[k]) ? (out[k] as Record<string, unknown>) : {}, v, childPath);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    out[k] = v;
  }
  return out;
}

function mergeList(target: unknown, patch: unknown[], path: string[]): unknown[] {
  const strategy = listStrategy(path);
  const current = Array.isArray(target) ? target : [];
  // A `{$patch: replace}` element means "the rest of this list is the whole list".
  if (patch.some((p) => isObject(p) && p[DIRECTIVE] === 'replace')) {
    return clone(patch.filter((p) => !(isObject(p) && p[DIRECTIVE] === 'replace')));
  }
  if (strategy.kind === 'atomic') return clone(patch);
  if (strategy.kind === 'set') {
    const out = [...current];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const key = strategy.key;
  const out: unknown[] = clone(current);
  for (const item of patch) {
    if (!isObject(item)) throw new PatchError(`patch list ${path.join('.')} holds a non-object element`);
    if (!(key in item)) throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((x) => isObject(x) && x[key] === item[key]);
    if (item[DIRECTIVE] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as Record<string, unknown>, item, path);
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      const fresh = mergeMap({}, item, path);
      if (fresh !== undefined) out.push(fresh);
    }
  }
  return out;
}
