// Garbage collector: objects whose owners (ownerReferences) are all gone are
// deleted, so deleting a Deployment takes its ReplicaSets and then their pods
// with it (background propagation), as in a real cluster.
import type { Registry } from '../registry';
import { storageType } from '../resources';

export class GarbageCollector {
  constructor(private readonly registry: Registry) {}

  tick(): void {
    const all = this.registry.store.scanAll();
    const uids = new Set(all.map((x) => x.object.metadata.uid));
    for (const { storage, object } of all) {
      const refs = object.metadata.ownerReferences ?? [];
      if (refs.length === 0 || refs.some((r) => uids.has(r.uid))) continue;
      if (object.metadata.deletionTimestamp) continue;
      try {
        this.registry.delete(storageType(storage), object.metadata.namespace, object.metadata.name!, { propagationPolicy: 'Background' });
      } catch {
        // Already gone (deleted by a cascade earlier in this pass).
      }
    }
  }
}
