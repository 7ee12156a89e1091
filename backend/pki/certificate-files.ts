// A certificate and key the operator gives as files (a mounted Secret that
// cert-manager renews): read at start, and read again when they change, so a
// renewal is taken without a restart. Used by the agent gateway and the HTTP API.
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../../lib/logger';

export interface CertificateFiles {
  cert: string;
  key: string;
}

export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

export const readCertificatePair = (files: CertificateFiles): CertificatePair => ({ certPem: readFileSync(files.cert, 'utf8'), keyPem: readFileSync(files.key, 'utf8') });

const changedAt = (files: CertificateFiles) => Math.max(statSync(files.cert).mtimeMs, statSync(files.key).mtimeMs);

/**
 * Every `checkMs`, when either file changed, reads both and hands them to
 * `replace`. A failure (a Secret half rewritten) is logged and tried again at
 * the next check. Returns the stop.
 */
export function watchCertificateFiles(files: CertificateFiles, checkMs: number, replace: (pair: CertificatePair) => void, log: Logger, what: string): () => void {
  let seen = changedAt(files);
  const timer = setInterval(() => {
    try {
      const now = changedAt(files);
      if (now === seen) return;
      replace(readCertificatePair(files));
      seen = now;
      log.info({ cert: files.cert }, `${what} certificate replaced`);
    } catch (e) {
      log.warn({ err: (e as Error).message, cert: files.cert }, `could not take the ${what} certificate from its files; trying again later`);
    }
  }, checkMs);
  timer.unref();
  return () => clearInterval(timer);
}
