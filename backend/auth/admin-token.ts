// DCOC_ADMIN_TOKEN at start-up: set, it seeds (or replaces) the admin token;
// unset, the token it seeded stops working. Both are audited as the system.
import { auditEntry } from '../audit/record';
import type { Store } from '../store/store';
import { SEED_ADMIN_TOKEN_ID, retireSeedAdminToken, seedAdminToken } from './api-tokens';

const SYSTEM = { actor: 'system', kind: 'system' } as const;

export async function applyAdminTokenSetting(store: Store, token: string | undefined, log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void }): Promise<void> {
  if (!token) {
    if (await retireSeedAdminToken(store, auditEntry(SYSTEM, { action: 'api-token.retire', outcome: 'succeeded', detail: { id: SEED_ADMIN_TOKEN_ID, reason: 'DCOC_ADMIN_TOKEN is unset' } }))) {
      log.info({ token: SEED_ADMIN_TOKEN_ID }, 'DCOC_ADMIN_TOKEN is unset: the admin token it seeded no longer works');
    }
    return;
  }
  const outcome = await seedAdminToken(store, token, auditEntry(SYSTEM, { action: 'api-token.seed', outcome: 'succeeded', detail: { id: SEED_ADMIN_TOKEN_ID } }));
  if (outcome === 'revoked') log.warn({ token: SEED_ADMIN_TOKEN_ID }, 'DCOC_ADMIN_TOKEN holds a token that was revoked; it stays revoked: set a new value to seed a new admin token');
}
