// Where the control service's CA lives with these settings: the operator's
// files (DCOC_CA_CERT_FILE, DCOC_CA_KEY_FILE; used as they are) or
// DCOC_DATA_DIR/pki (created there at first start). The service and
// `dcoc-control backup`/`restore` read it from here.
import { join } from 'node:path';
import type { Env } from '../config/env';

export const CA_CERT_NAME = 'ca.crt.pem';
export const CA_KEY_NAME = 'ca.key.pem';

export interface CaLocation {
  source: 'data-dir' | 'files';
  cert: string;
  key: string;
}

/** The CA files in `dir` (DCOC_DATA_DIR/pki). */
export const caFilesIn = (dir: string) => ({ cert: join(dir, CA_CERT_NAME), key: join(dir, CA_KEY_NAME) });

export function caLocation(env: Pick<Env, 'DCOC_CA_CERT_FILE' | 'DCOC_CA_KEY_FILE' | 'DCOC_DATA_DIR'>): CaLocation {
  if (env.DCOC_CA_CERT_FILE && env.DCOC_CA_KEY_FILE) return { source: 'files', cert: env.DCOC_CA_CERT_FILE, key: env.DCOC_CA_KEY_FILE };
  return { source: 'data-dir', ...caFilesIn(join(env.DCOC_DATA_DIR, 'pki')) };
}
