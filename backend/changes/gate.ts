// One checkpoint every change passes before it is accepted: deploys, config,
// restarts, scaling, Jobs, rollouts, backups, maintenance mode. Checks (deny
// windows, policies and approvals, ...) register here; a route asks the gate
// and acts only on `allow`. A refusal says which rule refused and what to do
// next; an approval-required answer carries the approval that was opened.
import type { ActingPrincipal } from '../auth/principal';

export type ChangeKind = 'deploy' | 'rollback' | 'config' | 'restart' | 'scale' | 'job' | 'rollout' | 'backup' | 'labels' | 'maintenance-mode';

export interface ProposedChange {
  kind: ChangeKind;
  /** The commons changed. */
  commons: string;
  /** Who asks; a scheduled change is asked by the schedule's author, with `scheduled` set. */
  principal: ActingPrincipal;
  reason?: string;
  /** The release a deploy or rollout moves to. */
  release?: string;
  /** A short, human description of the change (what an approver reads). */
  summary: string;
  /** The exact request, replayed when an approval is granted (no secrets: values are never carried here). */
  request?: Record<string, unknown>;
  /** An admin's override of a deny window, with its reason (audited). */
  override?: { reason: string };
  /** An approval granted for exactly this change. */
  approvalId?: string;
  /**
   * A change of many commons (a rollout) approved once: the approval, opened
   * on one of its commons and used there, covers the others it holds too.
   */
  approvedWith?: string;
  /** Only asks: a check that would open an approval says so without opening one (a rollout asks every commons this way first). */
  probe?: boolean;
  /** Started by a maintenance window or schedule rather than a person. */
  scheduled?: { windowId: string };
}

export type GateDecision =
  | { kind: 'allow'; notes?: string[] }
  /** Refused outright: status 403 (not allowed), 409 (not now: a window), 422 (bad request: reason missing, release not allowed). */
  | { kind: 'refuse'; status: 403 | 409 | 422; rule: string; detail: string; field?: string }
  /** Held until someone else approves it. */
  | { kind: 'approval-required'; rule: string; approvalId: string; detail: string };

export interface ChangeCheck {
  /** Names the check in refusals and logs: "deny-window", "policy". */
  readonly name: string;
  check(change: ProposedChange): Promise<GateDecision>;
}

/** Runs the checks in order; the first that does not allow decides. */
export class ChangeGate {
  private readonly checks: ChangeCheck[] = [];

  add(check: ChangeCheck): void {
    this.checks.push(check);
  }

  async check(change: ProposedChange): Promise<GateDecision> {
    const notes: string[] = [];
    for (const c of this.checks) {
      const d = await c.check(change);
      if (d.kind !== 'allow') return d;
      if (d.notes) notes.push(...d.notes);
    }
    return { kind: 'allow', notes };
  }
}
