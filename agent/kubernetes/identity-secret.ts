// Keeps the agent's key and certificates in a Secret of its namespace, so a
// rescheduled agent pod is the same agent (no new enrollment token needed).
import type { V1Secret } from '@kubernetes/client-node';
import { type AgentIdentity, type IdentityStore, identityFromPems } from '../protocol/identity';
import type { KubeClients } from './kube-client';
import { describeKubeError, statusOf } from './kube-client';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

export function secretIdentityStore(k: KubeClients, namespace: string, name: string): IdentityStore {
  return {
    async load() {
      let s: V1Secret;
      try {
        s = await k.core.readNamespacedSecret({ name, namespace });
      } catch (e) {
        if (statusOf(e) === 404) return null;
        throw new Error(`reading the agent's identity Secret ${namespace}/${name}: ${describeKubeError(e)}`, { cause: e });
      }
      const d = s.data ?? {};
      if (!d['tls.key'] || !d['tls.crt'] || !d['ca.crt'] || !d['agent-id']) return null;
      return identityFromPems(unb64(d['agent-id']), unb64(d['tls.key']), unb64(d['tls.crt']), unb64(d['ca.crt']));
    },
    async save(id: AgentIdentity) {
      const data = { 'agent-id': b64(id.agentId), 'tls.key': b64(id.keyPem), 'tls.crt': b64(id.certPem), 'ca.crt': b64(id.caPem) };
      try {
        try {
          const cur = await k.core.readNamespacedSecret({ name, namespace });
          await k.core.replaceNamespacedSecret({ name, namespace, body: { ...cur, data } });
        } catch (e) {
          if (statusOf(e) !== 404) throw e;
          await k.core.createNamespacedSecret({
            namespace,
            body: { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'dcoc-agent' } }, data },
          });
        }
      } catch (e) {
        throw new Error(`saving the agent's identity Secret ${namespace}/${name}: ${describeKubeError(e)}`, { cause: e });
      }
    },
  };
}
