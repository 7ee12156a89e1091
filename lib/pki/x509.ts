// X.509 plumbing shared by the control service's CA and the agent's
// enrollment: ECDSA P-256 keys, PEM encoding, CSRs. Uses WebCrypto only.
import 'reflect-metadata'; // @peculiar/x509 needs it loaded first
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
export const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
const subtle = webcrypto.subtle;
// Node's WebCrypto types: the code runs on Node, without the DOM lib.
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export { x509 };

export function generateKeys(): Promise<CryptoKeyPair> {
  return subtle.generateKey(KEY_ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`;
}

export async function pemToKeyPair(privatePem: string, certPem: string): Promise<CryptoKeyPair> {
  const der = Buffer.from(privatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const privateKey = await subtle.importKey('pkcs8', der, KEY_ALG, true, ['sign']);
  const publicKey = await new x509.X509Certificate(certPem).publicKey.export(KEY_ALG, ['verify']);
  return { privateKey, publicKey };
}

/** Positive 128-bit serial, hex. */
export function newSerial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

/** Serials as Node's TLS reports them (upper case, no leading zeros) compared with ours. */
export function sameSerial(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/^0+/, '');
  return norm(a) === norm(b);
}

export async function createCsr(commonName: string, keys: CryptoKeyPair): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName}`,
    keys,
    signingAlgorithm: SIGN_ALG,
  });
  return csr.toString('pem');
}

/** notBefore is set this far in the past, so a peer whose clock is a little behind accepts a new certificate. */
export const CERT_BACKDATE_MS = 60_000;
