// Which certificate the agent-facing listeners present, and how it stays
// valid: the operator's files (DCOC_TLS_CERT_FILE, read again when they change)
// or one the CA issues for DCOC_TLS_HOSTNAMES (renewed at two thirds of its life).
import type { Env } from '../config/env';
import type { Logger } from '../../lib/logger';
import { x509 } from '../../lib/pki/x509';
import type { CertificateAuthority } from '../pki/ca';
import { type CertificatePair, readCertificatePair, watchCertificateFiles } from '../pki/certificate-files';
import { ServerIdentity, renewAtTwoThirds } from './server-identity';

const notAfterOf = (pem: string) => new x509.X509Certificate(pem).notAfter;

export async function gatewayIdentity(env: Env, ca: CertificateAuthority, hostnames: string[], log: Logger): Promise<ServerIdentity> {
  const checkMs = env.DCOC_TLS_CHECK_S * 1000;
  if (env.DCOC_TLS_CERT_FILE && env.DCOC_TLS_KEY_FILE) {
    const files = { cert: env.DCOC_TLS_CERT_FILE, key: env.DCOC_TLS_KEY_FILE };
    const withExpiry = (p: CertificatePair) => ({ ...p, notAfter: notAfterOf(p.certPem) });
    const identity = new ServerIdentity(ca.certPem, withExpiry(readCertificatePair(files)));
    identity.stopWith(watchCertificateFiles(files, checkMs, (p) => identity.replace(withExpiry(p)), log, 'agent gateway'));
    return identity;
  }
  let issuedAt = Date.now();
  const identity = new ServerIdentity(ca.certPem, await ca.issueServerCertificate(hostnames));
  identity.keepFresh({
    checkMs,
    due: renewAtTwoThirds(() => issuedAt),
    renew: async () => {
      const next = await ca.issueServerCertificate(hostnames);
      issuedAt = Date.now();
      return next;
    },
    log,
  });
  return identity;
}
