// API tokens for automation: opaque random strings, bound to a role, stored
// only as SHA-256 hashes. DCOC_ADMIN_TOKEN seeds the first admin token.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '../contracts/roles';
import type { Store } from '../store/store';

export const API_TOKEN_PREFIX = 'dcoc_';
export const ENROLLMENT_TOKEN_PREFIX = 'dcoc-enroll_';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newSecretToken = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export async function seedAdminToken(store: Store, token: string): Promise<void> {
  await store.putApiToken({
    id: 'seed-admin',
    name: 'admin (DCOC_ADMIN_TOKEN)',
    token_hash: hashToken(token),
    role: 'admin',
    created_by: 'system',
    created_at: new Date().toISOString(),
    expires_at: null,
    revoked: 0,
  });
}

export async function mintApiToken(store: Store, opts: { name: string; role: Role; ttlSeconds?: number; createdBy: string }) {
  const token = newSecretToken(API_TOKEN_PREFIX);
  const now = Date.now();
  const row = {
    id: randomUUID(),
    name: opts.name,
    token_hash: hashToken(token),
    role: opts.role,
    created_by: opts.createdBy,
    created_at: new Date(now).toISOString(),
    expires_at: opts.ttlSeconds ? new Date(now + opts.ttlSeconds * 1000).toISOString() : null,
    revoked: 0,
  };
  await store.putApiToken(row);
  return { id: row.id, name: row.name, role: opts.role, expiresAt: row.expires_at, token };
}
