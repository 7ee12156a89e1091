// Approvals: a change a policy holds until someone else approves it. Opened
// by the policy check, approved or rejected by a second person (never the
// requester, nor a token the requester minted), expired by the sweeper. On
// approval the held request is replayed once, through the same route code
// it came from, with the approval's id so the gate lets it through.
import { randomUUID } from 'node:crypto';
import type { ApprovalState, ApprovalView, ChangeKindName } from '../../contracts/policies';
import { ApprovalView as ApprovalViewSchema } from '../../contracts/policies';
import { type Role, roleRank } from '../../contracts/roles';
import { type Actor, auditEntry } from '../audit/record';
import type { Principal } from '../auth/principal';
import type { ProposedChange } from '../changes/gate';
import { Conflict, NotFound } from '../domain/errors';
import type { EventBus } from '../events/bus';
import type { Logger } from '../../lib/logger';
import type { ApprovalFilter, ApprovalRow, PoliciesStore } from '../store/policies-store';

/** What a replayed change started. */
export interface ReplayResult {
  deployment?: string;
  command?: string;
}

/** Runs a held request again, as its requester, with the approval id. */
export type Replay = (request: Record<string, unknown>, principal: Principal, approvalId: string) => Promise<ReplayResult>;

/** Refused to this caller: the rule and what to do next (HTTP 403). */
export class NotAllowed extends Error {
  constructor(
    readonly rule: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** The audit action each kind of change is recorded under (as its route records it). */
export const ACTION_OF: Record<ChangeKindName, string> = {
  deploy: 'deployment.apply',
  rollback: 'deployment.rollback',
  config: 'config.update',
  restart: 'service.restart',
  scale: 'service.scale',
  job: 'job.run',
  rollout: 'rollout.start',
  backup: 'backup.run',
  labels: 'labels.update',
  'maintenance-mode': 'maintenance-mode.set',
};

/** Keys sorted, so a request compares equal however its fields were ordered. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Two principals are the same person: the same actor, or a token and the one who minted it. */
export function samePerson(a: { actor: string; owner?: string | null }, b: { actor: string; owner?: string | null }): boolean {
  return a.actor === b.actor || (!!a.owner && a.owner === b.actor) || (!!b.owner && b.owner === a.actor);
}

export function approvalView(r: ApprovalRow): ApprovalView {
  return ApprovalViewSchema.parse({
    id: r.id,
    kind: r.kind,
    commons: r.commons_id,
    state: r.state,
    requester: { actor: r.requester, kind: r.requester_kind, role: r.requester_role },
    reason: r.reason,
    summary: r.summary,
    release: r.release,
    request: JSON.parse(r.request_json) as Record<string, unknown>,
    policies: JSON.parse(r.policies_json) as string[],
    approvers: r.approver_role,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionReason: r.decision_reason,
    result: r.result_json ? (JSON.parse(r.result_json) as ReplayResult) : null,
    error: r.error,
  });
}

export interface ApprovalsDeps {
  store: PoliciesStore;
  events: EventBus;
  log: Logger;
  /** How long a request waits for a decision. */
  ttlMs: number;
  now?: () => Date;
}

const SYSTEM: Actor = { actor: 'dcoc-control', kind: 'system' };

export class Approvals {
  private readonly replays = new Map<string, Replay>();
  private readonly now: () => Date;

  constructor(private readonly deps: ApprovalsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The route code a kind of change is replayed through once approved. */
  onApproved(kind: ChangeKindName, replay: Replay): void {
    this.replays.set(kind, replay);
  }

  /** Holds a change: the approval and the change's accepted-pending audit entry, written together. */
  async open(change: ProposedChange, need: { approvers: Role; policies: string[] }): Promise<ApprovalView> {
    const at = this.now();
    const row: ApprovalRow = {
      id: randomUUID(),
      kind: change.kind,
      commons_id: change.commons,
      state: 'requested',
      requester: change.principal.actor,
      requester_kind: change.principal.kind,
      requester_role: change.principal.role,
      requester_owner: change.principal.owner ?? null,
      reason: change.reason ?? '',
      summary: change.summary,
      release: change.release ?? null,
      request_json: JSON.stringify(change.request ?? {}),
      policies_json: JSON.stringify(need.policies),
      approver_role: need.approvers,
      created_at: at.toISOString(),
      expires_at: new Date(at.getTime() + this.deps.ttlMs).toISOString(),
      decided_by: null,
      decided_at: null,
      decision_reason: null,
      consumed_at: null,
      result_json: null,
      error: null,
    };
    await this.deps.store.insertApproval(
      row,
      auditEntry(change.principal, {
        action: ACTION_OF[change.kind],
        outcome: 'accepted',
        commons: change.commons,
        detail: { pending: 'approval', approval: row.id, policies: need.policies, approvers: need.approvers, summary: change.summary, reason: change.reason ?? null, expiresAt: row.expires_at },
      }),
    );
    this.publish(row);
    return approvalView(row);
  }

  async view(id: string): Promise<ApprovalView> {
    return approvalView(await this.row(id));
  }

  async list(f: ApprovalFilter): Promise<ApprovalView[]> {
    return (await this.deps.store.listApprovals(f)).map(approvalView);
  }

  /**
   * Approves and runs the held change once. Approving again, or after it
   * ran, changes nothing and answers the approval as it is.
   */
  async approve(id: string, approver: Principal): Promise<ApprovalView> {
    const row = await this.row(id);
    const requester = { actor: row.requester, owner: row.requester_owner };
    if (samePerson(approver, requester)) {
      throw new NotAllowed('approval: not the requester', `${approver.actor} asked for this change (${row.requester}); a second person with role ${row.approver_role} or higher must approve it`);
    }
    if (roleRank(approver.role) < roleRank(row.approver_role as Role)) {
      throw new NotAllowed('approval: approver role', `approving this change needs role ${row.approver_role} or higher (policy ${(JSON.parse(row.policies_json) as string[]).join(', ')}); ${approver.actor} has role ${approver.role}`);
    }
    if (row.state !== 'requested') return this.settled(row, 'approve');
    if (await this.expireIfDue(row)) throw new Conflict('Approval expired', `approval ${id} expired at ${row.expires_at} without a decision; ask for the change again`);
    const decidedAt = this.now().toISOString();
    const moved = await this.deps.store.move(
      id,
      'requested',
      { state: 'approved', decided_by: approver.actor, decided_at: decidedAt },
      auditEntry(approver, { action: 'approval.approve', outcome: 'succeeded', commons: row.commons_id, detail: { approval: id, kind: row.kind, requester: row.requester, approver: approver.actor, summary: row.summary } }),
    );
    // Someone else decided first: theirs stands.
    if (!moved) return this.settled(await this.row(id), 'approve');
    const approved = await this.row(id);
    this.publish(approved);
    return this.execute(approved, approver);
  }

  async reject(id: string, by: Principal, reason: string): Promise<ApprovalView> {
    const row = await this.row(id);
    // The requester may withdraw their own request; anyone else needs the approver role.
    if (!samePerson(by, { actor: row.requester, owner: row.requester_owner }) && roleRank(by.role) < roleRank(row.approver_role as Role)) {
      throw new NotAllowed('approval: approver role', `rejecting this change needs role ${row.approver_role} or higher; ${by.actor} has role ${by.role}`);
    }
    if (row.state !== 'requested') return this.settled(row, 'reject');
    if (await this.expireIfDue(row)) throw new Conflict('Approval expired', `approval ${id} expired at ${row.expires_at} without a decision; nothing to reject`);
    const moved = await this.deps.store.move(
      id,
      'requested',
      { state: 'rejected', decided_by: by.actor, decided_at: this.now().toISOString(), decision_reason: reason },
      auditEntry(by, { action: 'approval.reject', outcome: 'succeeded', commons: row.commons_id, detail: { approval: id, kind: row.kind, requester: row.requester, reason, summary: row.summary } }),
    );
    const after = await this.row(id);
    if (!moved) return this.settled(after, 'reject');
    this.publish(after);
    return approvalView(after);
  }

  /**
   * The gate's side of a replay: claims an approved change for its one run.
   * The change must be the one approved (kind, commons, requester, request).
   */
  async consume(id: string, change: ProposedChange): Promise<{ ok: true } | { ok: false; detail: string }> {
    const row = await this.deps.store.getApproval(id);
    if (!row) return { ok: false, detail: `approval ${id} does not exist` };
    if (row.kind !== change.kind || row.commons_id !== change.commons || row.requester !== change.principal.actor || request(row) !== canonical(change.request ?? {})) {
      return { ok: false, detail: `approval ${id} is for another change (${row.kind} on ${row.commons_id} by ${row.requester}: ${row.summary}); send the change it approved, or ask for a new approval` };
    }
    if (row.state !== 'approved') return { ok: false, detail: `approval ${id} is ${row.state}, not approved` };
    if (!(await this.deps.store.consume(id, this.now().toISOString()))) return { ok: false, detail: `approval ${id} was already used; an approval runs its change once` };
    return { ok: true };
  }

  /** Expires the requests nobody decided in time. */
  async expireDue(): Promise<number> {
    let n = 0;
    for (const row of await this.deps.store.due(this.now().toISOString())) if (await this.expireIfDue(row)) n++;
    return n;
  }

  private async expireIfDue(row: ApprovalRow): Promise<boolean> {
    if (row.state !== 'requested' || row.expires_at > this.now().toISOString()) return false;
    const moved = await this.deps.store.move(
      row.id,
      'requested',
      { state: 'expired', decided_at: this.now().toISOString() },
      auditEntry(SYSTEM, { action: 'approval.expire', outcome: 'succeeded', commons: row.commons_id, detail: { approval: row.id, kind: row.kind, requester: row.requester, expiresAt: row.expires_at, summary: row.summary } }),
    );
    if (moved) this.publish(await this.row(row.id));
    return moved;
  }

  /**
   * Approved changes a stopped control service left behind (approved, never
   * finished): one never claimed runs now, as the sweeper; one claimed but not
   * finished may or may not have started, so it is failed saying where to look.
   */
  async resumeInterrupted(graceMs = 10 * 60_000): Promise<number> {
    const before = new Date(this.now().getTime() - graceMs).toISOString();
    let n = 0;
    for (const row of await this.deps.store.stuck(before)) {
      n++;
      if (!row.consumed_at) {
        await this.execute(row, SYSTEM);
        continue;
      }
      const error = 'the control service stopped while starting this approved change: it may or may not have started. Check the commons\' deployments and commands before asking for it again';
      const moved = await this.deps.store.move(
        row.id,
        'approved',
        { state: 'failed', error },
        auditEntry(SYSTEM, { action: 'approval.execute', outcome: 'failed', commons: row.commons_id, detail: { approval: row.id, kind: row.kind, requester: row.requester, approver: row.decided_by, error } }),
      );
      if (moved) this.publish(await this.row(row.id));
    }
    return n;
  }

  private async execute(row: ApprovalRow, approver: Actor): Promise<ApprovalView> {
    const principal: Principal = { actor: row.requester, kind: row.requester_kind as Principal['kind'], role: row.requester_role as Role, ...(row.requester_owner ? { owner: row.requester_owner } : {}) };
    const who = { approval: row.id, kind: row.kind, requester: row.requester, approver: row.decided_by ?? approver.actor };
    let result: ReplayResult | undefined;
    let error: string | undefined;
    try {
      const replay = this.replays.get(row.kind);
      if (!replay) throw new Error(`this control service cannot replay ${row.kind} changes`);
      result = await replay(JSON.parse(row.request_json) as Record<string, unknown>, principal, row.id);
    } catch (e) {
      error = (e as Error).message || String(e);
      this.deps.log.warn({ approval: row.id, err: e }, 'an approved change failed to start');
    }
    const to: { state: ApprovalState } & Partial<ApprovalRow> = result ? { state: 'executed', result_json: JSON.stringify(result) } : { state: 'failed', error: error!.slice(0, 2000) };
    await this.deps.store.move(
      row.id,
      'approved',
      to,
      auditEntry(approver, {
        action: 'approval.execute',
        outcome: result ? 'succeeded' : 'failed',
        commons: row.commons_id,
        commandId: result?.command ?? null,
        detail: result ? { ...who, ...result } : { ...who, error },
      }),
    );
    const after = await this.row(row.id);
    this.publish(after);
    return approvalView(after);
  }

  /** A decided approval, asked again: the same decision changes nothing; the other is a conflict. */
  private settled(row: ApprovalRow, asked: 'approve' | 'reject'): ApprovalView {
    const same = asked === 'approve' ? ['approved', 'executed', 'failed'] : ['rejected'];
    if (same.includes(row.state)) return approvalView(row);
    throw new Conflict(`Approval ${row.state}`, `approval ${row.id} is already ${row.state}${row.decided_by ? ` by ${row.decided_by}` : ''}; it cannot be ${asked === 'approve' ? 'approved' : 'rejected'} now${row.state === 'expired' || row.state === 'rejected' ? '. Ask for the change again' : ''}`);
  }

  private async row(id: string): Promise<ApprovalRow> {
    const row = await this.deps.store.getApproval(id);
    if (!row) throw new NotFound(`approval ${id}`);
    return row;
  }

  private publish(r: ApprovalRow): void {
    this.deps.events.publish({ type: 'approval.updated', commons: r.commons_id, approval: r.id, kind: r.kind, state: r.state as ApprovalState, requester: r.requester, summary: r.summary });
  }
}

const request = (row: ApprovalRow) => canonical(JSON.parse(row.request_json));
