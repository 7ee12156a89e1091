// The Alertmanager DCOC talks to, from its settings: none when
// DCOC_ALERTMANAGER_URL is unset; the token file read once, at start.
import { readFileSync } from 'node:fs';
import type { Env } from '../config/env';
import { Alertmanager } from './alertmanager';

export function alertmanagerFromEnv(env: Pick<Env, 'DCOC_ALERTMANAGER_URL' | 'DCOC_ALERTMANAGER_TOKEN_FILE'>): Alertmanager | null {
  if (!env.DCOC_ALERTMANAGER_URL) return null;
  const token = env.DCOC_ALERTMANAGER_TOKEN_FILE ? readFileSync(env.DCOC_ALERTMANAGER_TOKEN_FILE, 'utf8').trim() : undefined;
  return new Alertmanager({ url: env.DCOC_ALERTMANAGER_URL, ...(token ? { token } : {}) });
}
