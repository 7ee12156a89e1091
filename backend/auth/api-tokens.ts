// API tokens for automation: opaque random strings, bound to a role, stored
// only as SHA-256 hashes. DCOC_ADMIN_TOKEN seeds the first admin token.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ApiTokenInfo } from '../../contracts/api';
import type { Role } from '../../contracts/roles';
import type { ApiTokenRow, NewAudit, Store } from '../store/store';

export const API_TOKEN_PREFIX = 'dcoc_';
export const ENROLLMENT_TOKEN_PREFIX = 'dcoc-enroll_';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newSecretToken = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export const SEED_ADMIN_TOKEN_ID = 'seed-admin';

/**
 * Makes DCOC_ADMIN_TOKEN the seeded admin token. A new value replaces the old
 * one; the same value revoked through the API stays revoked (a restart must not
 * bring back a credential an admin took away).
 */
export async function seedAdminToken(store: Store, token: string, audit?: NewAudit): Promise<'seeded' | 'unchanged' | 'revoked'> {
  const existing = await store.getApiToken(SEED_ADMIN_TOKEN_ID);
  if (existing && existing.token_hash === hashToken(token)) return existing.revoked ? 'revoked' : 'unchanged';
  const row = {
    id: SEED_ADMIN_TOKEN_ID,
    name: 'admin (DCOC_ADMIN_TOKEN)',
    token_hash: hashToken(token),
    role: 'admin',
    created_by: 'system',
    created_at: new Date().toISOString(),
    expires_at: null,
    revoked: 0,
  };
  await store.putApiToken(row, audit);
  return 'seeded';
}

/**
 * DCOC_ADMIN_TOKEN is unset: the token it seeded stops working. Its hash is
 * forgotten too, so setting the variable again seeds afresh (unlike a revocation
 * through the API, which a restart with the same value keeps).
 */
export async function retireSeedAdminToken(store: Store, audit?: NewAudit): Promise<boolean> {
  const row = await store.getApiToken(SEED_ADMIN_TOKEN_ID);
  if (!row || row.revoked) return false;
  await store.putApiToken({ ...row, token_hash: hashToken(randomUUID()), revoked: 1 }, audit);
  return true;
}

export function apiTokenState(row: ApiTokenRow, now = new Date().toISOString()): ApiTokenInfo['state'] {
  if (row.revoked) return 'revoked';
  return row.expires_at && row.expires_at <= now ? 'expired' : 'active';
}

export function apiTokenInfo(row: ApiTokenRow): ApiTokenInfo {
  return { id: row.id, name: row.name, role: row.role, createdBy: row.created_by, createdAt: row.created_at, expiresAt: row.expires_at, state: apiTokenState(row) };
}

/** Mints a token; `audit` gives the audit entry written with it, in one transaction. */
export async function mintApiToken(store: Store, opts: { name: string; role: Role; ttlSeconds: number; createdBy: string }, audit?: (id: string) => NewAudit) {
  const token = newSecretToken(API_TOKEN_PREFIX);
  const now = Date.now();
  const row = {
    id: randomUUID(),
    name: opts.name,
    token_hash: hashToken(token),
    role: opts.role,
    created_by: opts.createdBy,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + opts.ttlSeconds * 1000).toISOString(),
    revoked: 0,
  };
  await store.putApiToken(row, audit?.(row.id));
  return { id: row.id, name: row.name, role: opts.role, expiresAt: row.expires_at, token };
}
