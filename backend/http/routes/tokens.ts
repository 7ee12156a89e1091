// /api/v1/tokens: admins mint, list and revoke role-bound API tokens for
// automation; /api/v1/whoami: the caller as the API sees them.
import { Router } from 'express';
import { ROUTES } from '../../../contracts/routes';
import { apiTokenInfo, mintApiToken } from '../../auth/api-tokens';
import { auditEntry } from '../../audit/record';
import type { Store } from '../../store/store';
import { mount } from '../mount';
import { notFound } from '../problem';

export interface TokenRoutesDeps {
  store: Store;
}

export function tokensRouter({ store }: TokenRoutesDeps): Router {
  const r = Router();
  mount(
    r,
    ROUTES.createApiToken,
    store,
    async ({ body, principal }) => {
      const minted = await mintApiToken(store, { ...body, createdBy: principal.actor }, (id) =>
        auditEntry(principal, { action: 'api-token.create', outcome: 'succeeded', detail: { id, name: body.name, role: body.role, ttlSeconds: body.ttlSeconds } }),
      );
      return { status: 201, body: minted };
    },
    { denial: () => ({ action: 'api-token.create' }) },
  );

  mount(r, ROUTES.listApiTokens, store, async () => ({ status: 200, body: { items: (await store.listApiTokens()).map(apiTokenInfo) } }));

  mount(
    r,
    ROUTES.revokeApiToken,
    store,
    async ({ params: { id }, principal }) => {
      const row = await store.getApiToken(id);
      if (!row) throw notFound(`API token ${id}`);
      // The audit entry and the revocation are one transaction; revoking a revoked token changes nothing.
      if (!row.revoked) await store.revokeApiToken(id, auditEntry(principal, { action: 'api-token.revoke', outcome: 'succeeded', detail: { id, name: row.name, role: row.role } }));
      return { status: 204, body: undefined };
    },
    { denial: () => ({ action: 'api-token.revoke' }) },
  );

  mount(r, ROUTES.whoami, store, ({ principal: { owner: _owner, ...view } }) => ({ status: 200, body: view }));
  return r;
}
