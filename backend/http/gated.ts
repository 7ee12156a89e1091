// Every change route asks the change gate in one call: allowed, it acts;
// refused, it answers problem+json naming the rule (audited as denied); held
// for approval, it answers 202 with the approval (the approval and its
// accepted-pending audit entry were written by the policy check).
import type { ApprovalView } from '../../contracts/policies';
import { audit } from '../audit/record';
import type { ActingPrincipal } from '../auth/principal';
import type { ChangeGate, GateDecision, ProposedChange } from '../changes/gate';
import type { Approvals } from '../policies/approvals';
import type { Store } from '../store/store';
import { HttpProblem } from './problem';

export interface ChangeRoutesDeps {
  store: Store;
  gate: Pick<ChangeGate, 'check'>;
  approvals: Pick<Approvals, 'view' | 'onApproved'>;
}

/** The 202 a held change is answered with. */
export interface Held {
  status: 202;
  location: string;
  body: { approval: ApprovalView };
}

const TITLES: Record<403 | 409 | 422, string> = { 403: 'Not allowed by policy', 409: 'Not now', 422: 'Refused by policy' };

/** Audits a refusal of the gate as denied and gives the problem to answer with (already audited). */
export async function refusal(store: Store, principal: ActingPrincipal, d: Extract<GateDecision, { kind: 'refuse' }>, audited: { action: string; commons: string; service?: string | null }): Promise<HttpProblem> {
  await audit(store, principal, {
    action: audited.action,
    outcome: 'denied',
    commons: audited.commons,
    service: audited.service ?? null,
    detail: { rule: d.rule, status: d.status, reason: d.detail.slice(0, 500), ...(d.field ? { fields: [d.field] } : {}) },
  });
  return new HttpProblem(d.status, TITLES[d.status], `refused by ${d.rule}: ${d.detail}`, d.field ? [{ field: d.field, message: d.detail }] : undefined, true);
}

/** Asks the gate about `change`, then runs `act` only if it is allowed. */
export async function gated<A>(deps: ChangeRoutesDeps, change: ProposedChange, audited: { action: string; service?: string | null }, act: () => Promise<A>): Promise<A | Held> {
  const d = await deps.gate.check(change);
  if (d.kind === 'allow') return act();
  if (d.kind === 'refuse') throw await refusal(deps.store, change.principal, d, { ...audited, commons: change.commons });
  const approval = await deps.approvals.view(d.approvalId);
  return { status: 202, location: `/api/v1/approvals/${approval.id}`, body: { approval } };
}

/** What an answer of a replayed route started: its deployment or command. */
export function startedBy(answer: { body?: unknown }): { deployment?: string; command?: string } {
  const b = (answer.body ?? {}) as { approval?: unknown; deployment?: { id?: string }; command?: { id?: string } };
  if (b.approval) throw new Error('the approved change was held for approval again');
  const out: { deployment?: string; command?: string } = {};
  if (b.deployment?.id) out.deployment = b.deployment.id;
  if (b.command?.id) out.command = b.command.id;
  return out;
}

/** The reason and approval a change's audit detail names, when it has them. */
export function decided(reason: string | undefined, approvalId: string | undefined): { reason?: string; approval?: string } {
  return { ...(reason ? { reason } : {}), ...(approvalId ? { approval: approvalId } : {}) };
}
