// Object storage with etcd's versioning model: one global, monotonically
// increasing resourceVersion; every write gets the next one and lands in a
// bounded event history that watches resume from. Compacting the history is
// what makes an old resourceVersion answer 410 Gone. API semantics
// (validation, generation, conflicts) live in registry.ts, not here.
import { errors } from './errors';
import type { KubeObject } from './types';
import { clone, deepEqual } from './util';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: WatchEventType;
  storage: string;
  namespace: string;
  object: KubeObject;
  /** The object before a MODIFIED/DELETED, so selector-filtered watches can turn a change into ADDED/DELETED. */
  prev?: KubeObject;
}

export interface StoreOptions {
  /** First resourceVersion handed out (real clusters are far from 1). */
  startResourceVersion?: number;
  /** Events kept for watch resumption before the oldest are compacted away. */
  maxHistory?: number;
}

const keyOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

export class Store {
  private rv: number;
  private readonly maxHistory: number;
  private readonly collections = new Map<string, Map<string, KubeObject>>();
  private history: StoreEvent[] = [];
  /** Watches may resume from any rv >= floor; older ones are 410 Gone. */
  private floor: number;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(opts: StoreOptions = {}) {
    this.rv = opts.startResourceVersion ?? 1000;
    this.floor = this.rv;
    this.maxHistory = opts.maxHistory ?? 10_000;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get historyFloor(): number {
    return this.floor;
  }

  private coll(storage: string): Map<string, KubeObject> {
    let c = this.collections.get(storage);
    if (!c) this.collections.set(storage, (c = new Map()));
    return c;
  }

  get(storage: string, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.coll(storage).get(keyOf(ns, name));
    return o ? clone(o) : undefined;
  }

  /** Objects of one collection (optionally one namespace), sorted by namespace/name like etcd keys. */
  list(storage: string, ns?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const [k, o] of this.coll(storage)) {
      if (ns !== undefined && !k.startsWith(`${ns}/`)) continue;
      out.push(clone(o));
    }
    return out.sort((a, b) => {
      const ka = keyOf(a.metadata.namespace, a.metadata.name ?? '');
      const kb = keyOf(b.metadata.namespace, b.metadata.name ?? '');
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  /** One stored object, uncopied (see scan). */
  peek(storage: string, ns: string | undefined, name: string): KubeObject | undefined {
    return this.coll(storage).get(keyOf(ns, name));
  }

  /**
   * The stored objects themselves, uncopied, in insertion order: the
   * controllers read every object on every tick, and copying them all made a
   * tick slower than its interval. Callers must never mutate them.
   */
  scan(storage: string, ns?: string): readonly KubeObject[] {
    const out: KubeObject[] = [];
    for (const [k, o] of this.coll(storage)) if (ns === undefined || k.startsWith(`${ns}/`)) out.push(o);
    return out;
  }

  /** Every object of every collection, uncopied (see scan). */
  scanAll(): { storage: string; object: KubeObject }[] {
    const out: { storage: string; object: KubeObject }[] = [];
    for (const [storage, c] of this.collections) for (const o of c.values()) out.push({ storage, object: o });
    return out;
  }

  insert(storage: string, obj: KubeObject): KubeObject {
    const key = keyOf(obj.metadata.namespace, obj.metadata.name!);
    if (this.coll(storage).has(key)) throw new Error(`store: ${storage} ${key} exists`);
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    this.coll(storage).set(key, stored);
    this.emit({ rv: this.rv, type: 'ADDED', storage, namespace: obj.metadata.namespace ?? '', object: clone(stored) });
    return clone(stored);
  }

  /**
   * Replaces an existing object. A write that changes nothing is skipped, as
   * the apiserver does: no new resourceVersion, no watch event.
   */
  put(storage: string, obj: KubeObject): KubeObject {
    const key = keyOf(obj.metadata.namespace, obj.metadata.name!);
    const old = this.coll(storage).get(key);
    if (!old) throw new Error(`store: ${storage} ${key} missing`);
    const candidate = clone(obj);
    candidate.metadata.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(candidate, old)) return clone(old);
    candidate.metadata.resourceVersion = String(++this.rv);
    this.coll(storage).set(key, candidate);
    this.emit({ rv: this.rv, type: 'MODIFIED', storage, namespace: obj.metadata.namespace ?? '', object: clone(candidate), prev: clone(old) });
    return clone(candidate);
  }

  remove(storage: string, ns: string | undefined, name: string): KubeObject | undefined {
    const key = keyOf(ns, name);
    const old = this.coll(storage).get(key);
    if (!old) return undefined;
    this.coll(storage).delete(key);
    // The DELETED event carries the last state with the deletion's own resourceVersion.
    const last = clone(old);
    last.metadata.resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, type: 'DELETED', storage, namespace: ns ?? '', object: clone(last), prev: clone(old) });
    return last;
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.maxHistory) {
      const dropped = this.history.splice(0, this.history.length - this.maxHistory);
      this.floor = dropped[dropped.length - 1].rv;
    }
    for (const l of this.listeners) l(e);
  }

  /** Events after `rv`, oldest first; 410 Expired when `rv` predates the retained history. */
  eventsSince(rv: number): StoreEvent[] {
    if (rv < this.floor) throw errors.expired(`too old resource version: ${rv} (${this.floor})`);
    return this.history.filter((e) => e.rv > rv).map((e) => clone(e));
  }

  /** Drops history up to `rv` (default: everything), like etcd compaction. */
  compact(rv: number = this.rv): void {
    const upTo = Math.min(rv, this.rv);
    this.history = this.history.filter((e) => e.rv > upTo);
    this.floor = Math.max(this.floor, upTo);
  }

  onEvent(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
