// The commons' identity and config live in the `manifest-global` ConfigMap
// (gen3-helm `global-manifest.yaml`): hostname, environment, and the rest.
// DCOC numbers config revisions in an annotation on it.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { CommonsIdentity, ConfigFacts } from '../core/types';

export const MANIFEST_GLOBAL = 'manifest-global';
export const REVISION_ANNOTATION = 'dcoc.gen3.org/config-revision';

export function identityFrom(cm: V1ConfigMap, namespace: string): CommonsIdentity {
  const hostname = cm.data?.hostname;
  if (!hostname) throw new Error(`ConfigMap ${MANIFEST_GLOBAL} in ${namespace} has no hostname`);
  return { hostname, environment: cm.data?.environment || namespace, name: cm.data?.hostname ?? hostname, namespace };
}

export function configFrom(cm: V1ConfigMap): ConfigFacts {
  return {
    revision: Number(cm.metadata?.annotations?.[REVISION_ANNOTATION] ?? 1) || 1,
    data: { ...(cm.data ?? {}) },
    resourceVersion: cm.metadata?.resourceVersion,
  };
}
