// /api/v1/tokens: admins mint role-bound API tokens for automation.
import { Router } from 'express';
import { ApiTokenRequest } from '../../contracts/api';
import { mintApiToken } from '../../auth/api-tokens';
import { audit } from '../../audit/record';
import { requirePermission } from '../auth';
import type { ApiContext } from '../context';
import { jsonBody, parse } from '../validate';

export function tokensRouter(ctx: ApiContext): Router {
  const r = Router();
  r.post('/tokens', async (req, res) => {
    const principal = await requirePermission(req, ctx.store, 'tokens:manage', { action: 'api-token.create' });
    const body = parse(ApiTokenRequest, jsonBody(req), 'body');
    await audit(ctx.store, principal, { action: 'api-token.create', outcome: 'succeeded', detail: { name: body.name, role: body.role } });
    const minted = await mintApiToken(ctx.store, { ...body, createdBy: principal.actor });
    res.status(201).json(minted);
  });

  r.get('/whoami', (req, res) => {
    res.json(req.principal);
  });
  return r;
}
