// The apiserver's generic registry: what get/list/create/update/patch/delete
// mean for a stored object (uid, creationTimestamp, generation, optimistic
// concurrency, status subresource, field ownership, graceful pod deletion,
// finalizers, dry run). The HTTP router, the controllers and tests all go
// through here, so every write has the same semantics and watch events.
import { parse as parseYaml } from 'yaml';
import { applyDefaults, validate } from './defaults';
import { errors, type KubeStatus } from './errors';
import { serverSideApply, trackUpdate } from './managed-fields';
import { jsonPatch, mergePatch, PatchError } from './patch-json';
import { strategicMergePatch } from './patch-strategic';
import { apiVersionOf, groupResource, storageType, type ResourceType } from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import type { Store } from './store';
import { isObject, type KubeObject, type ManagedFieldsEntry, type Pod } from './types';
import { clone, deepEqual, newUid, randomSuffix, rfc3339 } from './util';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
const ACCEPTED_PATCH_TYPES = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];

export interface WriteOptions {
  /** Field manager name (query `fieldManager`, else from the User-Agent). */
  manager?: string;
  dryRun?: boolean;
  subresource?: 'status' | 'scale';
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface RegistryOptions {
  /** Creating into a namespace that does not exist creates it (default) instead of 404. */
  autoCreateNamespaces?: boolean;
}

/** Everything but metadata/status/apiVersion/kind: what "a spec change" means for generation. */
function specOf(o: KubeObject): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...o };
  delete rest.metadata;
  delete rest.status;
  delete rest.apiVersion;
  delete rest.kind;
  return rest;
}

export class Registry {
  constructor(
    readonly store: Store,
    private readonly opts: RegistryOptions = {},
  ) {}

  /** The object as the API presents it for `t` (apiVersion/kind set, view conversion applied). */
  toView(t: ResourceType, o: KubeObject): KubeObject {
    const out = t.toView ? t.toView(o) : o;
    out.apiVersion = apiVersionOf(t);
    out.kind = t.kind;
    return out;
  }

  private fromView(t: ResourceType, o: KubeObject): KubeObject {
    const st = storageType(t.storage);
    const out = t.fromView ? t.fromView(o) : o;
    out.apiVersion = apiVersionOf(st);
    out.kind = st.kind;
    return out;
  }

  private nsOf(t: ResourceType, ns: string | undefined): string | undefined {
    return t.namespaced ? ns : undefined;
  }

  tryGet(t: ResourceType, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.store.get(t.storage, this.nsOf(t, ns), name);
    return o ? this.toView(t, o) : undefined;
  }

  get(t: ResourceType, ns: string | undefined, name: string): KubeObject {
    const o = this.tryGet(t, ns, name);
    if (!o) throw errors.notFound(groupResource(t), name);
    return o;
  }

  list(t: ResourceType, ns: string | undefined, o: ListOptions = {}): ListResult {
    const labels = parseLabelSelector(o.labelSelector);
    const fields = parseFieldSelector(o.fieldSelector, t.fields);
    if (o.resourceVersion && o.resourceVersion !== '0') {
      const rv = Number(o.resourceVersion);
      if (!Number.isInteger(rv)) throw errors.badRequest(`invalid resource version: ${o.resourceVersion}`);
      if (o.resourceVersionMatch === 'Exact' && rv < this.store.historyFloor)
        throw errors.expired('The resourceVersion for the provided list is too old.');
    }
    let start = '';
    let listRv = String(this.store.resourceVersion);
    if (o.continue) {
      let token: { rv: number; start: string };
      try {
        token = JSON.parse(Buffer.from(o.continue, 'base64url').toString('utf8')) as { rv: number; start: string };
      } catch {
        throw errors.badRequest('continue key is not valid: illegal base64 data');
      }
      if (token.rv < this.store.historyFloor)
        throw errors.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      start = token.start;
      listRv = String(token.rv);
    }
    // Selectors see the stored form (field labels are the storage version's, as for events.k8s.io in the apiserver).
    const all = this.store
      .list(t.storage, this.nsOf(t, ns))
      .filter((x) => labels(x.metadata.labels) && fields(x))
      .filter((x) => `${x.metadata.namespace ?? ''}/${x.metadata.name}` > start)
      .map((x) => this.toView(t, x));
    const limit = o.limit && o.limit > 0 ? o.limit : all.length;
    const page = all.slice(0, limit);
    const result: ListResult = { items: page, resourceVersion: listRv };
    if (page.length < all.length) {
      const last = page[page.length - 1];
      result.continue = Buffer.from(
        JSON.stringify({ rv: Number(listRv), start: `${last.metadata.namespace ?? ''}/${last.metadata.name}` }),
      ).toString('base64url');
      result.remainingItemCount = all.length - page.length;
    }
    return result;
  }

  private ensureNamespace(t: ResourceType, ns: string | undefined): void {
    if (!t.namespaced || !ns) return;
    if (this.store.get('namespaces', undefined, ns)) return;
    if (this.opts.autoCreateNamespaces === false) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
    const nsObj: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: newUid(), creationTimestamp: rfc3339() } };
    applyDefaults(storageType('namespaces'), nsObj);
    this.store.insert('namespaces', nsObj);
  }

  /**
   * POST. `keepStatus` is for seeding and controllers: the API itself drops
   * status on create for types with a status subresource.
   */
  create(
    t: ResourceType,
    ns: string | undefined,
    body: KubeObject,
    o: WriteOptions & { keepStatus?: boolean; managedFields?: ManagedFieldsEntry[] } = {},
  ): KubeObject {
    if (!isObject(body) || !isObject(body.metadata)) throw errors.badRequest('Object.metadata is missing');
    const obj = this.fromView(t, clone(body));
    const meta = obj.metadata;
    if (t.namespaced) {
      if (meta.namespace && ns && meta.namespace !== ns)
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = ns ?? meta.namespace;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix(5)}`;
    // etcd refuses this, and clients that create from a copy of a read object hit it.
    if (meta.resourceVersion) throw errors.storage('resourceVersion should not be set on objects to be created');
    meta.uid = newUid();
    meta.creationTimestamp = rfc3339();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.managedFields;
    const st = storageType(t.storage);
    if (st.generation !== 'none') meta.generation = 1;
    if (st.hasStatus && !o.keepStatus) delete obj.status;
    if (t.storage === 'pods' && !o.keepStatus) {
      const containers = ((obj.spec as Pod['spec'] | undefined)?.containers ?? []) as { resources?: Record<string, unknown> }[];
      const sized = containers.some((c) => isObject(c.resources) && (isObject(c.resources.requests) || isObject(c.resources.limits)));
      obj.status = { phase: 'Pending', qosClass: sized ? 'Burstable' : 'BestEffort' };
    }
    applyDefaults(st, obj);
    validate(t, obj, undefined);
    if (this.store.get(t.storage, this.nsOf(t, meta.namespace), meta.name!)) throw errors.alreadyExists(groupResource(t), meta.name!);
    // Writes through the API record ownership; controller-internal creates (no manager) do not.
    if (o.managedFields) meta.managedFields = o.managedFields;
    else if (o.manager !== undefined)
      meta.managedFields = trackUpdate(undefined, obj, { manager: o.manager, apiVersion: apiVersionOf(t), hasStatus: st.hasStatus });
    if (o.dryRun) return this.toView(t, obj);
    this.ensureNamespace(t, meta.namespace);
    return this.toView(t, this.store.insert(t.storage, obj));
  }

  /** PUT (main resource or /status). */
  update(t: ResourceType, ns: string | undefined, name: string, body: KubeObject, o: WriteOptions = {}): KubeObject {
    if (!isObject(body) || !isObject(body.metadata)) throw errors.badRequest('Object.metadata is missing');
    const st = storageType(t.storage);
    const old = this.store.get(t.storage, this.nsOf(t, ns), name);
    if (!old) throw errors.notFound(groupResource(t), name);
    const incoming = this.fromView(t, clone(body));
    if (incoming.metadata.name && incoming.metadata.name !== name)
      throw errors.badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    const rv = incoming.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw errors.conflict(groupResource(t), name);
    if (incoming.metadata.uid && incoming.metadata.uid !== old.metadata.uid)
      throw errors.conflict(
        groupResource(t),
        name,
        `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${old.metadata.uid}`,
      );

    let next: KubeObject;
    if (o.subresource === 'status') {
      // Status writes change status only (the status strategy resets the rest).
      next = clone(old);
      if (incoming.status !== undefined) next.status = incoming.status;
    } else {
      next = incoming;
      if (st.hasStatus) {
        if (old.status !== undefined) next.status = clone(old.status);
        else delete next.status;
      }
    }
    return this.commitUpdate(t, old, next, o);
  }

  /** Shared tail of update/patch/apply: server-owned metadata, defaults, validation, generation, ownership, write. */
  private commitUpdate(t: ResourceType, old: KubeObject, next: KubeObject, o: WriteOptions, managed?: ManagedFieldsEntry[]): KubeObject {
    const st = storageType(t.storage);
    const m = next.metadata;
    m.name = old.metadata.name;
    m.namespace = old.metadata.namespace;
    m.uid = old.metadata.uid;
    m.creationTimestamp = old.metadata.creationTimestamp;
    m.resourceVersion = old.metadata.resourceVersion;
    if (old.metadata.deletionTimestamp) {
      m.deletionTimestamp = old.metadata.deletionTimestamp;
      m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete m.deletionTimestamp;
      delete m.deletionGracePeriodSeconds;
    }
    if (m.generateName === undefined) delete m.generateName;
    next.apiVersion = old.apiVersion;
    next.kind = old.kind;
    applyDefaults(st, next);
    validate(t, next, old);

    if (st.generation !== 'none') {
      const specChanged = !deepEqual(specOf(old), specOf(next));
      const annChanged = st.generation === 'spec+annotations' && !deepEqual(old.metadata.annotations ?? {}, m.annotations ?? {});
      m.generation = (old.metadata.generation ?? 1) + (specChanged || annChanged ? 1 : 0);
    } else delete m.generation;

    // Like the apiserver, managedFields a client writes explicitly (helm 4 moving
    // helm 3's Update entries to Apply) replace the stored ones before this write is tracked.
    const own = m.managedFields;
    const explicit = !o.subresource && Array.isArray(own) && own.length > 0 && !deepEqual(own, old.metadata.managedFields ?? []);
    const before = explicit ? { ...old, metadata: { ...old.metadata, managedFields: own } } : old;
    m.managedFields =
      managed ??
      trackUpdate(before, next, {
        manager: o.manager ?? 'unknown',
        apiVersion: apiVersionOf(t),
        hasStatus: st.hasStatus,
        subresource: o.subresource,
      });

    if (o.dryRun) return this.toView(t, next);
    // A finalizer-blocked deletion completes when the last finalizer goes.
    if (m.deletionTimestamp && (m.finalizers ?? []).length === 0 && t.storage !== 'pods') {
      const gone = this.store.remove(t.storage, m.namespace, m.name!);
      return this.toView(t, gone ?? next);
    }
    return this.toView(t, this.store.put(t.storage, next));
  }

  /** PATCH with any of the four patch types. `created` is true when an apply created the object. */
  patch(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    contentType: string,
    rawBody: string,
    o: WriteOptions & { force?: boolean } = {},
  ): { object: KubeObject; created: boolean } {
    const type = contentType.split(';')[0].trim().toLowerCase();
    if (!ACCEPTED_PATCH_TYPES.includes(type as (typeof ACCEPTED_PATCH_TYPES)[number]))
      throw errors.unsupportedMediaType(type, ACCEPTED_PATCH_TYPES);
    if (o.force && type !== PATCH_TYPES.apply)
      throw errors.unprocessable(`PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch`);
    const st = storageType(t.storage);
    const live = this.store.get(t.storage, this.nsOf(t, ns), name);

    let body: unknown;
    try {
      body = type === PATCH_TYPES.apply ? parseYaml(rawBody) : JSON.parse(rawBody);
    } catch (e) {
      throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
    }

    if (type === PATCH_TYPES.apply) {
      if (!o.manager) throw errors.unprocessable('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      if (!isObject(body)) throw errors.badRequest('error decoding YAML: the applied configuration must be an object');
      const applied = body as KubeObject;
      applied.metadata ??= {};
      const wantVersion = apiVersionOf(t);
      if (applied.apiVersion !== wantVersion || applied.kind !== t.kind)
        throw errors.badRequest(
          `the API version in the data (${String(applied.apiVersion)}) does not match the expected API version (${wantVersion}) or kind (${String(applied.kind)}) does not match ${t.kind}`,
        );
      if (applied.metadata.name && applied.metadata.name !== name)
        throw errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
      const stored = this.fromView(t, clone(applied));
      if (stored.metadata.resourceVersion && live && stored.metadata.resourceVersion !== live.metadata.resourceVersion)
        throw errors.conflict(groupResource(t), name);
      delete stored.metadata.resourceVersion;
      if (st.hasStatus) delete stored.status;
      const merged = serverSideApply(live, stored, { manager: o.manager, force: !!o.force, apiVersion: apiVersionOf(t), hasStatus: st.hasStatus });
      if (!live) {
        merged.metadata.name = name;
        const managedFields = merged.metadata.managedFields;
        return { object: this.create(t, ns, this.toView(t, merged), { ...o, managedFields }), created: true };
      }
      return { object: this.commitUpdate(t, live, merged, o, merged.metadata.managedFields), created: false };
    }

    if (!live) throw errors.notFound(groupResource(t), name);
    if (type === PATCH_TYPES.json && !Array.isArray(body))
      throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    if (type !== PATCH_TYPES.json && !isObject(body)) throw errors.badRequest(`error decoding patch: the patch must be a JSON object`);
    const view = this.toView(t, clone(live));
    let patched: unknown;
    try {
      if (type === PATCH_TYPES.merge) patched = mergePatch(view, body);
      else if (type === PATCH_TYPES.json) patched = jsonPatch(view, body);
      else patched = strategicMergePatch(view, body);
    } catch (e) {
      if (e instanceof PatchError) throw errors.patchRejected(e.message);
      throw e;
    }
    if (!isObject(patched) || !isObject(patched.metadata)) throw errors.unprocessable('patch produced an object without metadata');
    const next = this.fromView(t, patched as KubeObject);
    const rv = next.metadata.resourceVersion;
    if (rv && rv !== live.metadata.resourceVersion) throw errors.conflict(groupResource(t), name);
    if (o.subresource === 'status') {
      const onlyStatus = clone(live);
      onlyStatus.status = next.status;
      return { object: this.commitUpdate(t, live, onlyStatus, o), created: false };
    }
    if (st.hasStatus) {
      if (live.status !== undefined) next.status = clone(live.status);
      else delete next.status;
    }
    return { object: this.commitUpdate(t, live, next, o), created: false };
  }

  /**
   * DELETE. Returns the object for pods (as the apiserver does) and a Success
   * Status otherwise. Pods on a node and objects with finalizers are only
   * marked (deletionTimestamp); the kubelet simulation / finalizer removal
   * completes them.
   */
  delete(t: ResourceType, ns: string | undefined, name: string, o: DeleteOptions = {}): { object?: KubeObject; status?: KubeStatus } {
    const st = storageType(t.storage);
    const live = this.store.get(t.storage, this.nsOf(t, ns), name);
    if (!live) throw errors.notFound(groupResource(t), name);
    if (o.preconditions?.uid && o.preconditions.uid !== live.metadata.uid)
      throw errors.conflict(groupResource(t), name, `Precondition failed: UID in precondition: ${o.preconditions.uid}, UID in object meta: ${live.metadata.uid}`);
    if (o.preconditions?.resourceVersion && o.preconditions.resourceVersion !== live.metadata.resourceVersion)
      throw errors.conflict(
        groupResource(t),
        name,
        `Precondition failed: ResourceVersion in precondition: ${o.preconditions.resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion}`,
      );
    const success = (): KubeStatus => ({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: t.group || undefined, kind: t.resource, uid: live.metadata.uid },
    });
    if (o.dryRun) return t.storage === 'pods' ? { object: this.toView(t, live) } : { status: success() };

    if ((o.propagationPolicy ?? st.defaultPropagation) === 'Orphan') this.orphanDependents(live.metadata.uid!);

    if (t.storage === 'pods') {
      const pod = live as Pod;
      const grace = o.gracePeriodSeconds ?? pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      if (grace > 0 && pod.spec.nodeName && !terminal) {
        if (!pod.metadata.deletionTimestamp || grace < (pod.metadata.deletionGracePeriodSeconds ?? Infinity)) {
          pod.metadata.deletionTimestamp = rfc3339(new Date(Date.now() + grace * 1000));
          pod.metadata.deletionGracePeriodSeconds = grace;
          return { object: this.toView(t, this.store.put(t.storage, pod)) };
        }
        return { object: this.toView(t, pod) };
      }
      return { object: this.toView(t, this.store.remove(t.storage, ns, name)!) };
    }
    if ((live.metadata.finalizers ?? []).length > 0) {
      if (!live.metadata.deletionTimestamp) {
        live.metadata.deletionTimestamp = rfc3339();
        live.metadata.deletionGracePeriodSeconds = 0;
        if (st.generation !== 'none') live.metadata.generation = (live.metadata.generation ?? 1) + 1;
        this.store.put(t.storage, live);
      }
      return { object: this.get(t, ns, name) };
    }
    this.store.remove(t.storage, this.nsOf(t, ns), name);
    return { status: success() };
  }

  private orphanDependents(uid: string): void {
    for (const { storage, object } of this.store.scanAll()) {
      const refs = object.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === uid)) continue;
      const copy = clone(object);
      copy.metadata.ownerReferences = refs.filter((r) => r.uid !== uid);
      if (copy.metadata.ownerReferences.length === 0) delete copy.metadata.ownerReferences;
      this.store.put(storage, copy);
    }
  }

  /**
   * Controller-side write: status and metadata (annotations, ownerReferences)
   * as the controllers' UpdateStatus/Update calls would, without bumping
   * generation or touching managedFields.
   */
  writeAsController(storage: string, obj: KubeObject): KubeObject {
    return this.store.put(storage, obj);
  }
}

