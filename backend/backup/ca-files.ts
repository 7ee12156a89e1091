// The CA in a backup. Its key is what lets restored agents reconnect: their
// client certificates were signed by it, and they verify the control
// service's server certificate against its certificate. Without the key a new
// CA is made at the next start, and every agent must enroll again.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaLocation } from '../pki/ca-location';
import { BackupError } from './errors';

function readable(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Checks that `keyPem` is the private key of `certPem`; throws saying which files disagree. */
export function checkPair(certPem: string, keyPem: string, where: string): void {
  let ok: boolean;
  try {
    ok = new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch (e) {
    throw new BackupError(`the CA in ${where} cannot be read as PEM (${(e as Error).message})`);
  }
  if (!ok) throw new BackupError(`the CA key in ${where} is not the key of its certificate; find the matching pair before relying on this CA`);
}

/** Copies what of the CA is readable into `dir/pki` (0600); says what is in and what is not. */
export function backupCa(paths: CaLocation, dir: string): { cert: boolean; key: boolean; keyExists: boolean } {
  const certPem = readable(paths.cert);
  const keyPem = readable(paths.key);
  if (certPem && keyPem) checkPair(certPem, keyPem, `${paths.cert} and ${paths.key}`);
  mkdirSync(join(dir, 'pki'), { mode: 0o700 });
  for (const [pem, from, name] of [
    [certPem, paths.cert, 'ca.crt.pem'],
    [keyPem, paths.key, 'ca.key.pem'],
  ] as const) {
    if (!pem) continue;
    copyFileSync(from, join(dir, 'pki', name));
    chmodSync(join(dir, 'pki', name), 0o600);
  }
  return { cert: certPem !== null, key: keyPem !== null, keyExists: existsSync(paths.key) };
}

/** Whether the CA these settings name is there, and is the backup's (its certificate, with that certificate's key beside it). */
export function caAtTarget(paths: CaLocation, backupCert: string | null): 'absent' | 'same' | 'different' {
  const cert = readable(paths.cert);
  if (cert === null && !existsSync(paths.key)) return 'absent';
  const key = readable(paths.key);
  if (cert === null || key === null || backupCert === null) return 'different';
  try {
    const target = new X509Certificate(cert);
    return target.fingerprint256 === new X509Certificate(backupCert).fingerprint256 && target.checkPrivateKey(createPrivateKey(key)) ? 'same' : 'different';
  } catch {
    return 'different';
  }
}

/** Writes the backup's CA into DCOC_DATA_DIR/pki (directory 0700, files 0600). */
export function restoreCa(fromDir: string, paths: CaLocation): void {
  mkdirSync(join(paths.key, '..'), { recursive: true, mode: 0o700 });
  for (const [name, to] of [
    ['ca.crt.pem', paths.cert],
    ['ca.key.pem', paths.key],
  ] as const) {
    copyFileSync(join(fromDir, 'pki', name), to);
    chmodSync(to, 0o600);
  }
}
