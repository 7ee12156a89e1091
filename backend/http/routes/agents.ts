// /api/v1/agents and /api/v1/enrollment-tokens: who reports, enroll, revoke.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { type AgentView, EnrollmentTokenRequest, UuidPath } from '../../../contracts/api';
import { ENROLLMENT_TOKEN_PREFIX, hashToken, newSecretToken } from '../../auth/api-tokens';
import { audit, auditEntry } from '../../audit/record';
import { requirePermission } from '../auth';
import type { ApiContext } from '../context';
import { notFound } from '../problem';
import { jsonBody, parse } from '../validate';


export function agentsRouter(ctx: ApiContext): Router {
  const r = Router();
  const { store, fleet, sessions } = ctx;

  r.get('/agents', async (req, res) => {
    await requirePermission(req, store, 'fleet:read');
    const rows = await store.listAgents();
    const items: AgentView[] = rows.map((a) => {
      const live = a.commons_id ? fleet.get(a.commons_id) : undefined;
      const connected = !!live && live.agent.id === a.id && fleet.online(live);
      return {
        id: a.id,
        commons: a.commons_id,
        hostname: a.hostname || null,
        connected,
        lastSeen: live?.agent.id === a.id && live.agent.lastSeenMs ? new Date(live.agent.lastSeenMs).toISOString() : a.last_seen,
        version: a.version || null,
        certificateSerial: a.cert_serial,
        certificateExpiresAt: a.cert_not_after,
        revoked: a.revoked === 1,
        enrolledAt: a.enrolled_at,
      };
    });
    res.json({ items });
  });

  r.post('/enrollment-tokens', async (req, res) => {
    const principal = await requirePermission(req, store, 'agents:manage', { action: 'enrollment-token.create' });
    const body = parse(EnrollmentTokenRequest, req.body === undefined ? {} : jsonBody(req), 'body');
    const token = newSecretToken(ENROLLMENT_TOKEN_PREFIX);
    const now = Date.now();
    const id = randomUUID();
    const expiresAt = new Date(now + body.ttlSeconds * 1000).toISOString();
    await store.createEnrollmentToken(
      {
        id,
        token_hash: hashToken(token),
        description: body.description ?? '',
        created_by: principal.actor,
        created_at: new Date(now).toISOString(),
        expires_at: expiresAt,
        used_at: null,
        used_by_agent: null,
      },
      auditEntry(principal, { action: 'enrollment-token.create', outcome: 'succeeded', detail: { tokenId: id, description: body.description ?? '', expiresAt } }),
    );
    // The token is shown here once; only its hash is kept.
    res.status(201).json({
      id,
      token,
      expiresAt,
      caCertificate: ctx.ca.certPem,
      installCommand:
        `DCOC_ENROLL_TOKEN='${token}' dcoc-agent --control ${ctx.agentEndpoints.grpc} --enroll ${ctx.agentEndpoints.enroll} ` +
        `--ca-file dcoc-ca.pem --data-dir /var/lib/dcoc-agent`,
    });
  });

  r.delete('/agents/:id', async (req, res) => {
    const { id } = parse(UuidPath, req.params, 'path');
    const principal = await requirePermission(req, store, 'agents:manage', { action: 'agent.revoke' });
    const agent = await store.getAgent(id);
    if (!agent) throw notFound(`agent ${id}`);
    await audit(store, principal, { action: 'agent.revoke', outcome: 'succeeded', commons: agent.commons_id, detail: { agent: id, serial: agent.cert_serial } });
    await store.updateAgent(id, { revoked: 1 });
    sessions.forAgent(id)?.close('agent revoked');
    res.status(204).end();
  });

  return r;
}
