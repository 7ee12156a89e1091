// Kubeconfigs for the control plane: files for the components (paths to the
// PEM files) and for people (`kubectl --kubeconfig`, data embedded), and
// @kubernetes/client-node KubeConfig objects for the tests.
import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export type Credentials = { certPem: string; keyPem: string } | { token: string };

/** A kubeconfig file whose user reads its client certificate from files (for the Kubernetes components). */
export function writeComponentKubeconfig(file: string, server: string, caFile: string, cert: { cert: string; key: string }): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'dcoc-test', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: 'component', user: { 'client-certificate': cert.cert, 'client-key': cert.key } }],
    contexts: [{ name: 'component', context: { cluster: 'dcoc-test', user: 'component' } }],
    'current-context': 'component',
  };
  writeFileSync(file, stringify(doc), { mode: 0o600 });
  return file;
}

/** A self-contained kubeconfig file (data embedded), e.g. for kubectl or helm by hand. */
export function writeKubeconfig(file: string, server: string, caPem: string, creds: Credentials, namespace?: string): string {
  const user = 'token' in creds ? { token: creds.token } : { 'client-certificate-data': b64(creds.certPem), 'client-key-data': b64(creds.keyPem) };
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'dcoc-test', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: 'user', user }],
    contexts: [{ name: 'user', context: { cluster: 'dcoc-test', user: 'user', ...(namespace ? { namespace } : {}) } }],
    'current-context': 'user',
  };
  writeFileSync(file, stringify(doc), { mode: 0o600 });
  return file;
}

export function kubeConfig(server: string, caPem: string, creds: Credentials, namespace?: string): KubeConfig {
  const kc = new KubeConfig();
  const user = 'token' in creds ? { name: 'user', token: creds.token } : { name: 'user', certData: b64(creds.certPem), keyData: b64(creds.keyPem) };
  kc.loadFromOptions({
    clusters: [{ name: 'dcoc-test', server, caData: b64(caPem), skipTLSVerify: false }],
    users: [user],
    contexts: [{ name: 'user', cluster: 'dcoc-test', user: 'user', ...(namespace ? { namespace } : {}) }],
    currentContext: 'user',
  });
  return kc;
}
