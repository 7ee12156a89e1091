// Turns a bearer credential into a Principal: an identity assertion signed by
// the Grafana plugin, or an API token. Anything else is 401.
import { AssertionError, isAssertion, verifyAssertion } from '../../contracts/identity';
import { Role } from '../../contracts/roles';
import type { Store } from '../store/store';
import { apiTokenState, hashToken } from './api-tokens';
import { SeenAssertions } from './replay-guard';
import type { Principal } from './principal';

export class AuthError extends Error {}

export class Authenticator {
  private readonly seen = new SeenAssertions();

  constructor(
    private readonly store: Store,
    private readonly pluginSecret: string | undefined,
  ) {}

  async authenticate(header: string | undefined): Promise<Principal> {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) throw new AuthError('missing bearer credential: send "Authorization: Bearer <API token or plugin assertion>"');
    const credential = m[1];
    if (isAssertion(credential)) {
      try {
        const c = await verifyAssertion(credential, this.pluginSecret ?? '');
        if (!this.seen.firstUse(c.jti, c.exp)) throw new AssertionError('assertion already used: send a fresh one with every request');
        return { actor: c.sub, kind: 'grafana', role: c.role, name: c.name, email: c.email };
      } catch (e) {
        throw new AuthError(e instanceof AssertionError ? e.message : 'invalid assertion');
      }
    }
    const row = await this.store.findApiToken(hashToken(credential));
    if (!row || apiTokenState(row) === 'revoked') throw new AuthError('unknown or revoked API token');
    if (apiTokenState(row) === 'expired') throw new AuthError('API token expired');
    const role = Role.safeParse(row.role);
    if (!role.success) throw new AuthError('API token has an unknown role');
    return { actor: `token:${row.name}`, kind: 'token', role: role.data, owner: row.created_by };
  }
}
