// Which certificate the agent-facing listeners present, and how it stays
// valid: the operator's files (DCOC_TLS_CERT_FILE, read again when they change)
// or one the CA issues for DCOC_TLS_HOSTNAMES (renewed at two thirds of its life).
import type { Env } from '../config/env';
import type { Logger } from '../../lib/logger';
import { x509 } from '../../lib/pki/x509';
import type { CertificateAuthority } from '../pki/ca';
import { ServerIdentity, readCertificateFiles, renewAtTwoThirds } from './server-identity';

const notAfterOf = (pem: string) => new x509.X509Certificate(pem).notAfter;

export async function gatewayIdentity(env: Env, ca: CertificateAuthority, hostnames: string[], log: Logger): Promise<ServerIdentity> {
  const checkMs = env.DCOC_TLS_CHECK_S * 1000;
  if (env.DCOC_TLS_CERT_FILE && env.DCOC_TLS_KEY_FILE) {
    const certFile = env.DCOC_TLS_CERT_FILE;
    const keyFile = env.DCOC_TLS_KEY_FILE;
    let read = readCertificateFiles(certFile, keyFile, notAfterOf);
    const identity = new ServerIdentity(ca.certPem, read);
    identity.keepFresh({
      checkMs,
      due: () => {
        try {
          return readCertificateFiles(certFile, keyFile, notAfterOf).mtimeMs !== read.mtimeMs;
        } catch {
          return false; // a Secret being rewritten: the files come back at the next check
        }
      },
      renew: () => {
        read = readCertificateFiles(certFile, keyFile, notAfterOf);
        return Promise.resolve(read);
      },
      log,
    });
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
