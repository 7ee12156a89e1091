// Field ownership (metadata.managedFields, FieldsV1) and server-side apply.
// An approximation of structured-merge-diff that is faithful where client
// code can notice: who owns which field, apply conflicts with the
// apiserver's message shape, `force` taking ownership, and fields an applier
// stops sending being removed when nobody else owns them.
import { errors } from './errors';
import { listStrategy } from './patch-strategic';
import { isObject, type KubeObject, type ManagedFieldsEntry } from './types';
import { clone, deepEqual, rfc3339 } from './util';

const SEP = '\u0001';

/** Fields no manager owns (server-set identity and bookkeeping). */
const IGNORED_TOP = new Set(['apiVersion', 'kind']);
const IGNORED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);
/** Struct fields that are atomic in the OpenAPI schema (owned as one value). */
const ATOMIC_STRUCTS = new Set(['selector']);
/** Map-typed fields: owned as a node ("." in FieldsV1) plus per-key leaves. */
const MAP_FIELDS = new Set(['labels', 'annotations', 'matchLabels', 'nodeSelector', 'data', 'binaryData', 'stringData', 'limits', 'requests']);

export type Scope = 'main' | 'status';

type PathElem = string; // f:name | k:{"name":"x"} | v:"x"

function keyElem(key: string, item: Record<string, unknown>): PathElem {
  return `k:${JSON.stringify({ [key]: item[key] })}`;
}

/** Every owned path of an object: leaves, plus nodes for list items and map fields. */
export function fieldPaths(obj: KubeObject, scope: Scope, hasStatus: boolean): Set<string> {
  const out = new Set<string>();
  const walk = (value: unknown, elems: PathElem[], names: string[]) => {
    const name = names[names.length - 1];
    if (Array.isArray(value)) {
      const strategy = listStrategy(names);
      if (strategy.kind === 'atomic' || value.length === 0) {
        out.add(elems.join(SEP));
        return;
      }
      for (const item of value) {
        if (strategy.kind === 'set') out.add([...elems, `v:${JSON.stringify(item)}`].join(SEP));
        else if (isObject(item) && strategy.key in item) {
          const itemElems = [...elems, keyElem(strategy.key, item)];
          out.add(itemElems.join(SEP));
          for (const [k, v] of Object.entries(item)) walk(v, [...itemElems, `f:${k}`], [...names, k]);
        }
      }
      return;
    }
    if (isObject(value) && Object.keys(value).length > 0 && !ATOMIC_STRUCTS.has(name)) {
      if (MAP_FIELDS.has(name)) out.add(elems.join(SEP));
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        walk(v, [...elems, `f:${k}`], [...names, k]);
      }
      return;
    }
    out.add(elems.join(SEP));
  };
  for (const [k, v] of Object.entries(obj)) {
    if (IGNORED_TOP.has(k) || v === undefined) continue;
    if (k === 'status' && hasStatus) {
      if (scope === 'status') walk(v, [`f:${k}`], [k]);
      continue;
    }
    if (scope === 'status') continue;
    if (k === 'metadata' && isObject(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (IGNORED_META.has(mk) || mv === undefined) continue;
        walk(mv, ['f:metadata', `f:${mk}`], ['metadata', mk]);
      }
      continue;
    }
    walk(v, [`f:${k}`], [k]);
  }
  return out;
}

/** Value at an owned path, or undefined when absent. */
function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const e of path.split(SEP)) {
    if (e.startsWith('f:')) cur = isObject(cur) ? cur[e.slice(2)] : undefined;
    else if (e.startsWith('k:')) {
      const [[k, v]] = Object.entries(JSON.parse(e.slice(2)) as Record<string, unknown>);
      cur = Array.isArray(cur) ? cur.find((x) => isObject(x) && deepEqual(x[k], v)) : undefined;
    } else if (e.startsWith('v:')) {
      const v = JSON.parse(e.slice(2)) as unknown;
      cur = Array.isArray(cur) && cur.some((x) => deepEqual(x, v)) ? v : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

function removeAt(obj: KubeObject, path: string): void {
  const elems = path.split(SEP);
  let cur: unknown = obj;
  for (const e of elems.slice(0, -1)) {
    cur = valueAt(cur, e);
    if (cur === undefined) return;
  }
  const last = elems[elems.length - 1];
  if (last.startsWith('f:') && isObject(cur)) delete cur[last.slice(2)];
  else if (Array.isArray(cur)) {
    const target = valueAt(cur, last);
    const idx = cur.findIndex((x) => x === target || (last.startsWith('v:') && deepEqual(x, target)));
    if (idx >= 0) cur.splice(idx, 1);
  }
}

/** `.spec.template.spec.containers[name="fence"].image`, as SSA conflict messages print paths. */
export function displayPath(path: string): string {
  return path
    .split(SEP)
    .map((e) => {
      if (e.startsWith('f:')) return `.${e.slice(2)}`;
      if (e.startsWith('k:')) {
        const obj = JSON.parse(e.slice(2)) as Record<string, unknown>;
        return `[${Object.entries(obj)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      return `[=${e.slice(2)}]`;
    })
    .join('');
}

export function toFieldsV1(paths: Iterable<string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    let node = root;
    const elems = p.split(SEP);
    for (const e of elems) {
      if (!isObject(node[e])) node[e] = {};
      node = node[e] as Record<string, unknown>;
    }
    // A path that is also a parent of other paths is marked with "." (owns itself).
    node['.'] = {};
  }
  // Leaves carry no "." in FieldsV1: `f:image: {}`.
  const strip = (n: Record<string, unknown>) => {
    const keys = Object.keys(n).filter((k) => k !== '.');
    if (keys.length === 0) delete n['.'];
    for (const k of keys) strip(n[k] as Record<string, unknown>);
  };
  strip(root);
  return root;
}

export function fromFieldsV1(f: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (n: unknown, elems: string[]) => {
    if (!isObject(n)) return;
    const keys = Object.keys(n);
    if (elems.length > 0 && (keys.length === 0 || keys.includes('.'))) out.add(elems.join(SEP));
    for (const k of keys) if (k !== '.') walk(n[k], [...elems, k]);
  };
  walk(f, []);
  return out;
}

interface Owner {
  entry: ManagedFieldsEntry;
  paths: Set<string>;
}

function owners(obj: KubeObject | undefined): Owner[] {
  return (obj?.metadata.managedFields ?? []).map((entry) => ({ entry: clone(entry), paths: fromFieldsV1(entry.fieldsV1) }));
}

function toEntries(list: Owner[], changed: Set<Owner>): ManagedFieldsEntry[] {
  const now = rfc3339();
  return list
    .filter((o) => o.paths.size > 0)
    .map((o) => ({ ...o.entry, time: changed.has(o) ? now : o.entry.time, fieldsV1: toFieldsV1(o.paths) }));
}

function findOwner(list: Owner[], manager: string, operation: 'Apply' | 'Update', apiVersion: string, subresource?: string): Owner {
  let o = list.find((x) => x.entry.manager === manager && x.entry.operation === operation && x.entry.subresource === subresource);
  if (!o) {
    const entry: ManagedFieldsEntry = { manager, operation, apiVersion, time: rfc3339(), fieldsType: 'FieldsV1', fieldsV1: {} };
    if (subresource) entry.subresource = subresource;
    o = { entry, paths: new Set() };
    list.push(o);
  }
  o.entry.apiVersion = apiVersion;
  return o;
}

/**
 * Ownership after a non-apply write (create, update, patch): the writer takes
 * the fields it changed; fields that disappeared lose their owners.
 */
export function trackUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  opts: { manager: string; apiVersion: string; hasStatus: boolean; subresource?: 'status' | 'scale' },
): ManagedFieldsEntry[] {
  const scope: Scope = opts.subresource === 'status' ? 'status' : 'main';
  const list = owners(before);
  const oldPaths = before ? fieldPaths(before, scope, opts.hasStatus) : new Set<string>();
  const newPaths = fieldPaths(after, scope, opts.hasStatus);
  const changed = new Set<Owner>();
  // Nodes (maps, list items) change hands only when created; leaves whenever their value changes.
  const taken = [...newPaths].filter((p) => !oldPaths.has(p) || (!isObject(valueAt(after, p)) && !deepEqual(valueAt(before, p), valueAt(after, p))));
  const gone = [...oldPaths].filter((p) => !newPaths.has(p));
  if (taken.length === 0 && gone.length === 0) return before?.metadata.managedFields ?? [];
  const me = findOwner(list, opts.manager, 'Update', opts.apiVersion, opts.subresource);
  for (const o of list) {
    for (const p of gone) if (o.paths.delete(p)) changed.add(o);
    if (o === me) continue;
    for (const p of taken) if (o.paths.delete(p)) changed.add(o);
  }
  for (const p of taken) me.paths.add(p);
  changed.add(me);
  return toEntries(list, changed);
}

/** Merges the applied configuration into the live object (lists by merge key). */
function applyMerge(live: unknown, applied: unknown, names: string[]): unknown {
  if (Array.isArray(applied)) {
    const strategy = listStrategy(names);
    if (strategy.kind === 'atomic' || !Array.isArray(live)) return clone(applied);
    const out = clone(live);
    for (const item of applied) {
      if (strategy.kind === 'set') {
        if (!out.some((x) => deepEqual(x, item))) out.push(clone(item));
        continue;
      }
      if (!isObject(item)) continue;
      const idx = out.findIndex((x) => isObject(x) && deepEqual(x[strategy.key], item[strategy.key]));
      if (idx >= 0) out[idx] = applyMerge(out[idx], item, names);
      else out.push(clone(item));
    }
    return out;
  }
  if (isObject(applied) && !ATOMIC_STRUCTS.has(names[names.length - 1])) {
    const out: Record<string, unknown> = isObject(live) ? clone(live) : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) delete out[k];
      else out[k] = applyMerge(out[k], v, [...names, k]);
    }
    return out;
  }
  return clone(applied);
}

/**
 * Server-side apply of `applied` onto `live` (undefined = create) by `manager`.
 * Throws a 409 Conflict listing every contested field unless `force`.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  opts: { manager: string; force: boolean; apiVersion: string; hasStatus: boolean },
): KubeObject {
  const list = owners(live);
  const appliedPaths = fieldPaths(applied, 'main', opts.hasStatus);
  const me = findOwner(list, opts.manager, 'Apply', opts.apiVersion);
  const previous = new Set(me.paths);
  const changed = new Set<Owner>([me]);

  const conflicts: { manager: string; apiVersion: string; field: string }[] = [];
  for (const o of list) {
    if (o === me || o.entry.subresource === 'status') continue;
    for (const p of appliedPaths) {
      if (!o.paths.has(p)) continue;
      const want = valueAt(applied, p);
      if (isObject(want)) continue; // node ownership (list item, map) is shared, never a conflict
      if (deepEqual(valueAt(live, p), want)) continue; // same value: shared ownership
      if (opts.force) {
        o.paths.delete(p);
        changed.add(o);
      } else conflicts.push({ manager: o.entry.manager, apiVersion: o.entry.apiVersion, field: displayPath(p) });
    }
  }
  if (conflicts.length > 0) throw errors.applyConflict(conflicts);

  const base: KubeObject = live ? clone(live) : { metadata: {} };
  const merged = applyMerge(base, applied, []) as KubeObject;
  // Fields this manager applied before and dropped now go away, unless someone else owns them.
  const others = list.filter((o) => o !== me);
  const dropped = [...previous].filter((p) => !appliedPaths.has(p)).sort((a, b) => b.length - a.length);
  for (const p of dropped) {
    const ownedElsewhere = others.some((o) => [...o.paths].some((q) => q === p || q.startsWith(p + SEP)));
    if (!ownedElsewhere) removeAt(merged, p);
  }
  me.paths = appliedPaths;
  merged.metadata.managedFields = toEntries(list, changed);
  return merged;
}
