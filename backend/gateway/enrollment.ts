// Enrollment: a single-use, expiring token and a CSR in, a client
// certificate signed by the control service's CA out. The token is checked
// and spent in the same transaction that creates the agent.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { hashToken } from '../auth/api-tokens';
import type { Logger } from '../../lib/logger';
import type { Metrics } from '../metrics/registry';
import { type CertificateAuthority, CsrError } from '../pki/ca';
import { audit } from '../audit/record';
import type { Store } from '../store/store';
import type { EnrollRequest, EnrollResponse, EnrollmentServer } from '../../contracts/pb/agent';
import type { AsyncHandlers } from './guard';

export function enrollmentHandlers(deps: { store: Store; ca: CertificateAuthority; metrics: Metrics; log: Logger; certTtlMs: number }): AsyncHandlers<EnrollmentServer> {
  const { store, ca, metrics, log, certTtlMs } = deps;
  return {
    async enroll(call: grpc.ServerUnaryCall<EnrollRequest, EnrollResponse>, callback: grpc.sendUnaryData<EnrollResponse>) {
      const req = call.request;
      const fail = (code: grpc.status, details: string, outcome: string) => {
        metrics.enrollments.inc({ outcome });
        log.warn({ peer: call.getPeer(), outcome }, `enrollment refused: ${details}`);
        callback({ code, details });
      };
      if (!req.token || !req.csr_pem) return fail(grpc.status.INVALID_ARGUMENT, 'token and csr_pem are required', 'invalid');
      const refused = (reason: 'unknown' | 'used' | 'expired') => {
        const why = { unknown: 'enrollment token is not valid', used: 'enrollment token was already used', expired: 'enrollment token has expired' }[reason];
        return fail(grpc.status.PERMISSION_DENIED, `${why}; ask a DCOC admin for a new one`, reason);
      };
      // The token first: a request without a live one gets no CSR parsing, no signing.
      const live = await store.checkEnrollmentToken(hashToken(req.token), new Date().toISOString());
      if (!live.ok) return refused(live.reason);
      const agentId = randomUUID();
      let cert: Awaited<ReturnType<CertificateAuthority['signAgentCsr']>>;
      try {
        // Signed before the token is spent, so a refused CSR leaves the token usable.
        cert = await ca.signAgentCsr(req.csr_pem, agentId, certTtlMs);
      } catch (e) {
        if (e instanceof CsrError) return fail(grpc.status.INVALID_ARGUMENT, e.message, 'invalid');
        throw e;
      }
      const now = new Date().toISOString();
      const result = await store.consumeEnrollmentToken(hashToken(req.token), now, {
        id: agentId,
        commons_id: null,
        hostname: req.hostname.slice(0, 253),
        version: req.agent_version.slice(0, 64),
        cert_serial: cert.serial,
        cert_not_after: cert.notAfter.toISOString(),
        revoked: 0,
        enrolled_at: now,
        last_seen: null,
        enrollment_token_id: '',
      });
      if (!result.ok) return refused(result.reason);
      metrics.enrollments.inc({ outcome: 'enrolled' });
      log.info({ agentId, hostname: req.hostname }, 'agent enrolled');
      await audit(store, { actor: `agent:${agentId}`, kind: 'system' }, { action: 'agent.enroll', outcome: 'succeeded', detail: { hostname: req.hostname, version: req.agent_version, serial: cert.serial } });
      callback(null, { agent_id: agentId, certificate_pem: cert.certPem, ca_pem: ca.certPem, not_after_ms: cert.notAfter.getTime() });
    },
  };
}
