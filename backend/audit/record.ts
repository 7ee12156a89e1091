// One way to write an audit entry for something a caller did or tried.
import type { Principal } from '../auth/principal';
import type { AuditEntry } from '../../contracts/api';
import type { NewAudit, Store } from '../store/store';

export interface AuditFacts {
  action: string;
  outcome: AuditEntry['outcome'];
  commons?: string | null;
  service?: string | null;
  detail?: Record<string, unknown>;
  commandId?: string | null;
}

/** `who` is the authenticated caller, or a description of an unauthenticated or system actor. */
export type Actor = Principal | { actor: string; kind: 'anonymous' | 'system' };

export function audit(store: Store, who: Actor, f: AuditFacts): Promise<void> {
  return store.appendAudit(auditEntry(who, f));
}

/** The row for an audit entry, for a store call that writes it with its effect in one transaction. */
export function auditEntry(who: Actor, f: AuditFacts): NewAudit {
  return {
    at: new Date().toISOString(),
    actor: who.actor,
    actor_kind: who.kind,
    role: 'role' in who ? who.role : null,
    action: f.action,
    commons_id: f.commons ?? null,
    service: f.service ?? null,
    detail_json: JSON.stringify(f.detail ?? {}),
    outcome: f.outcome,
    command_id: f.commandId ?? null,
  };
}
