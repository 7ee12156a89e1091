// /api/v1/tokens: admins mint, list and revoke role-bound API tokens for automation.
import { Router } from 'express';
import { ApiTokenRequest, TokenPath } from '../../../contracts/api';
import { apiTokenInfo, mintApiToken } from '../../auth/api-tokens';
import { auditEntry } from '../../audit/record';
import { requirePermission } from '../auth';
import type { ApiContext } from '../context';
import { notFound } from '../problem';
import { jsonBody, parse } from '../validate';


export function tokensRouter(ctx: ApiContext): Router {
  const r = Router();
  r.post('/tokens', async (req, res) => {
    const principal = await requirePermission(req, ctx.store, 'tokens:manage', { action: 'api-token.create' });
    const body = parse(ApiTokenRequest, jsonBody(req), 'body');
    const minted = await mintApiToken(ctx.store, { ...body, createdBy: principal.actor }, (id) =>
      auditEntry(principal, { action: 'api-token.create', outcome: 'succeeded', detail: { id, name: body.name, role: body.role, ttlSeconds: body.ttlSeconds } }),
    );
    res.status(201).json(minted);
  });

  r.get('/tokens', async (req, res) => {
    await requirePermission(req, ctx.store, 'tokens:manage');
    res.json({ items: (await ctx.store.listApiTokens()).map(apiTokenInfo) });
  });

  r.delete('/tokens/:id', async (req, res) => {
    const { id } = parse(TokenPath, req.params, 'path');
    const principal = await requirePermission(req, ctx.store, 'tokens:manage', { action: 'api-token.revoke' });
    const row = await ctx.store.getApiToken(id);
    if (!row) throw notFound(`API token ${id}`);
    // The audit entry and the revocation are one transaction; revoking a revoked token changes nothing.
    if (!row.revoked) await ctx.store.revokeApiToken(id, auditEntry(principal, { action: 'api-token.revoke', outcome: 'succeeded', detail: { id, name: row.name, role: row.role } }));
    res.status(204).end();
  });

  r.get('/whoami', (req, res) => {
    res.json(req.principal);
  });
  return r;
}
