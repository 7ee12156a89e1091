// /api/v1/agents and /api/v1/enrollment-tokens: who reports, enroll, revoke.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { AgentView } from '../../../contracts/api';
import { ROUTES } from '../../../contracts/routes';
import { ENROLLMENT_TOKEN_PREFIX, hashToken, newSecretToken } from '../../auth/api-tokens';
import { audit, auditEntry } from '../../audit/record';
import type { Fleet } from '../../fleet/fleet';
import type { AgentSessions } from '../../gateway/sessions';
import type { CertificateAuthority } from '../../pki/ca';
import type { Store } from '../../store/store';
import { agentHelmCommand, agentInstallCommand } from '../install-command';
import { mount } from '../mount';
import { notFound } from '../problem';

export interface AgentRoutesDeps {
  store: Store;
  fleet: Pick<Fleet, 'get' | 'online'>;
  sessions: Pick<AgentSessions, 'forAgent'>;
  ca: Pick<CertificateAuthority, 'certPem'>;
  /** Where agents reach the gateway, for install commands. */
  agentEndpoints: { grpc: string; enroll: string };
}

export function agentsRouter({ store, fleet, sessions, ca, agentEndpoints }: AgentRoutesDeps): Router {
  const r = Router();

  mount(r, ROUTES.listAgents, store, async () => {
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
    return { status: 200, body: { items } };
  });

  mount(
    r,
    ROUTES.createEnrollmentToken,
    store,
    async ({ body, principal }) => {
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
      const install = { caPem: ca.certPem, token, gateway: agentEndpoints.grpc, enroll: agentEndpoints.enroll };
      return {
        status: 201,
        body: {
          id,
          token,
          expiresAt,
          caCertificate: ca.certPem,
          installCommand: agentInstallCommand(install),
          helmCommand: agentHelmCommand(install),
        },
      };
    },
    { denial: () => ({ action: 'enrollment-token.create' }) },
  );

  mount(
    r,
    ROUTES.revokeAgent,
    store,
    async ({ params: { id }, principal }) => {
      const agent = await store.getAgent(id);
      if (!agent) throw notFound(`agent ${id}`);
      await audit(store, principal, { action: 'agent.revoke', outcome: 'succeeded', commons: agent.commons_id, detail: { agent: id, serial: agent.cert_serial } });
      await store.updateAgent(id, { revoked: 1 });
      sessions.forAgent(id)?.close('agent revoked');
      return { status: 204, body: undefined };
    },
    { denial: () => ({ action: 'agent.revoke' }) },
  );

  return r;
}
