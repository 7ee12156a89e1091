// The control plane's own certificates, made fresh for every start: one CA
// that signs the apiserver's serving certificate and every client identity,
// and the key that signs ServiceAccount tokens. ECDSA P-256 throughout; the
// Kubernetes components read PKCS#8 PEM keys.
import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIGN_ALG, generateKeys, newSerial, privateKeyToPem, x509 } from '../../../lib/pki/x509';

const DAY_MS = 86_400_000;

export interface CertFiles {
  cert: string;
  key: string;
}

/** A client identity: RBAC sees CN as the user and each O as a group. */
export interface ClientIdentity {
  file: string;
  user: string;
  groups?: string[];
}

export interface Pki {
  caCert: string;
  caPem: string;
  serving: CertFiles;
  /** Signs ServiceAccount tokens (apiserver) and legacy token Secrets (controller-manager). */
  serviceAccountKey: string;
  /** Its public half, with which the apiserver verifies those tokens. */
  serviceAccountPublicKey: string;
  clients: Record<string, CertFiles & { certPem: string; keyPem: string }>;
}

function pem(file: string, text: string, mode = 0o644): string {
  writeFileSync(file, text, { mode });
  return file;
}

/**
 * Writes ca.crt, apiserver.crt/.key, sa.key and <file>.crt/.key per client into `dir`.
 * `serverNames` go into the serving certificate (IPs as IP SANs).
 */
export async function makePki(dir: string, serverNames: string[], clients: ClientIdentity[]): Promise<Pki> {
  const now = Date.now();
  const caKeys = await generateKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: 'CN=dcoc-test-kubernetes-ca',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 7 * DAY_MS),
    keys: caKeys,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  async function issue(subject: string, usage: string, altNames?: { type: 'dns' | 'ip'; value: string }[]) {
    const keys = await generateKeys();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: newSerial(),
      subject,
      issuer: ca.subject,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 7 * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGN_ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        await x509.AuthorityKeyIdentifierExtension.create(ca),
        ...(altNames?.length ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey) };
  }

  const caPem = ca.toString('pem');
  const caCert = pem(join(dir, 'ca.crt'), caPem);
  const isIp = (s: string) => /^[\d.]+$|:/.test(s);
  const server = await issue(
    'CN=kube-apiserver',
    x509.ExtendedKeyUsage.serverAuth,
    serverNames.map((n) => ({ type: isIp(n) ? ('ip' as const) : ('dns' as const), value: n })),
  );
  const serving = { cert: pem(join(dir, 'apiserver.crt'), server.certPem), key: pem(join(dir, 'apiserver.key'), server.keyPem, 0o600) };
  const saKeys = await generateKeys();
  const serviceAccountKey = pem(join(dir, 'sa.key'), await privateKeyToPem(saKeys.privateKey), 0o600);
  // --service-account-key-file reads PUBLIC KEY (or RSA/EC PRIVATE KEY) blocks, not PKCS#8.
  const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', saKeys.publicKey));
  const serviceAccountPublicKey = pem(join(dir, 'sa.pub'), `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PUBLIC KEY-----\n`);

  const issued: Pki['clients'] = {};
  for (const c of clients) {
    // x509 names: one O= per group, after the CN.
    const subject = [`CN=${c.user}`, ...(c.groups ?? []).map((g) => `O=${g}`)].join(', ');
    const { certPem, keyPem } = await issue(subject, x509.ExtendedKeyUsage.clientAuth);
    issued[c.file] = { certPem, keyPem, cert: pem(join(dir, `${c.file}.crt`), certPem), key: pem(join(dir, `${c.file}.key`), keyPem, 0o600) };
  }
  return { caCert, caPem, serving, serviceAccountKey, serviceAccountPublicKey, clients: issued };
}
