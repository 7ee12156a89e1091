// The control service's certificate authority: it signs the server
// certificate agents verify and the client certificates agents present.
// The CA key lives in DCOC_DATA_DIR/pki with mode 0600 and never leaves it.
import { createPrivateKey, type webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { caFilesIn } from './ca-location';
import { CERT_BACKDATE_MS, KEY_ALG, SIGN_ALG, generateKeys, newSerial, pemToKeyPair, privateKeyToPem, x509 } from '../../lib/pki/x509';

const DAY_MS = 86_400_000;
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
export { CERT_BACKDATE_MS };

export interface IssuedCertificate {
  certPem: string;
  serial: string;
  notAfter: Date;
}

/** A certificate request that cannot be signed: bad input, not a failure of the CA. */
export class CsrError extends Error {}

export class CertificateAuthority {
  private constructor(
    private readonly keys: CryptoKeyPair,
    readonly cert: x509.X509Certificate,
    readonly certPem: string,
  ) {}

  /** An existing CA (DCOC_CA_CERT_FILE, DCOC_CA_KEY_FILE: e.g. a mounted Secret); never created or written. ECDSA P-256. */
  static async load(certFile: string, keyFile: string): Promise<CertificateAuthority> {
    const certPem = readFileSync(certFile, 'utf8');
    let keys: CryptoKeyPair;
    try {
      // cert-manager writes EC keys as SEC1 ("EC PRIVATE KEY") unless told PKCS8: take either.
      const pkcs8 = createPrivateKey(readFileSync(keyFile, 'utf8')).export({ type: 'pkcs8', format: 'pem' }).toString();
      keys = await pemToKeyPair(pkcs8, certPem);
    } catch (e) {
      throw new Error(`cannot use the CA in ${certFile} and ${keyFile}: ${(e as Error).message}. The CA key must be ECDSA P-256 (PKCS#8 or SEC1 PEM) and match the certificate`, { cause: e });
    }
    return new CertificateAuthority(keys, new x509.X509Certificate(certPem), certPem);
  }

  static async loadOrCreate(dir: string): Promise<CertificateAuthority> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { key: keyFile, cert: certFile } = caFilesIn(dir);
    if (existsSync(keyFile) && existsSync(certFile)) {
      const certPem = readFileSync(certFile, 'utf8');
      const keys = await pemToKeyPair(readFileSync(keyFile, 'utf8'), certPem);
      return new CertificateAuthority(keys, new x509.X509Certificate(certPem), certPem);
    }
    const keys = await generateKeys();
    const now = new Date();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: newSerial(),
      name: 'CN=DCOC control service CA, O=Gen3 DCOC',
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 3650 * DAY_MS),
      keys,
      signingAlgorithm: SIGN_ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const certPem = cert.toString('pem');
    writeFileSync(keyFile, await privateKeyToPem(keys.privateKey), { mode: 0o600 });
    writeFileSync(certFile, certPem);
    return new CertificateAuthority(keys, cert, certPem);
  }

  /** A fresh server key and certificate for the agent-facing listeners. */
  async issueServerCertificate(hostnames: string[], ttlMs = 90 * DAY_MS): Promise<IssuedCertificate & { keyPem: string }> {
    const keys = await generateKeys();
    const issued = await this.sign({
      subject: `CN=${hostnames[0] ?? 'localhost'}, O=Gen3 DCOC`,
      publicKey: keys.publicKey,
      ttlMs,
      usage: x509.ExtendedKeyUsage.serverAuth,
      altNames: hostnames.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
    });
    return { ...issued, keyPem: await privateKeyToPem(keys.privateKey) };
  }

  /**
   * Signs an agent's CSR after checking its self-signature and its key (ECDSA
   * P-256, what agents make); the subject is ours, not the CSR's. A CSR that
   * fails a check throws CsrError, which callers answer as bad input.
   */
  async signAgentCsr(csrPem: string, agentId: string, ttlMs: number): Promise<IssuedCertificate> {
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrPem);
    } catch {
      throw new CsrError('csr_pem is not a PEM PKCS#10 certificate request');
    }
    const alg = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
    if (alg.name !== KEY_ALG.name || alg.namedCurve !== KEY_ALG.namedCurve) {
      throw new CsrError(`the CSR's key must be ECDSA ${KEY_ALG.namedCurve}, as the DCOC agent makes it; this one is ${[alg.name, alg.namedCurve].filter(Boolean).join(' ') || 'of an unknown type'}`);
    }
    let verified = false;
    try {
      verified = await csr.verify();
    } catch {
      // A malformed signature: the same answer as a wrong one.
    }
    if (!verified) throw new CsrError('the CSR signature does not verify');
    const publicKey = await csr.publicKey.export(KEY_ALG, ['verify']);
    return this.sign({ subject: `CN=${agentId}, O=dcoc-agent`, publicKey, ttlMs, usage: x509.ExtendedKeyUsage.clientAuth });
  }

  private async sign(opts: {
    subject: string;
    publicKey: CryptoKey;
    ttlMs: number;
    usage: string;
    altNames?: { type: 'dns' | 'ip'; value: string }[];
  }): Promise<IssuedCertificate> {
    const now = Date.now();
    const serial = newSerial();
    const notAfter = new Date(now + opts.ttlMs);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial,
      subject: opts.subject,
      issuer: this.cert.subject,
      notBefore: new Date(now - CERT_BACKDATE_MS),
      notAfter,
      publicKey: opts.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: SIGN_ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([opts.usage]),
        await x509.AuthorityKeyIdentifierExtension.create(this.cert),
        ...(opts.altNames?.length ? [new x509.SubjectAlternativeNameExtension(opts.altNames)] : []),
      ],
    });
    return { certPem: cert.toString('pem'), serial, notAfter };
  }
}
