// Rollouts as the API sees them: plan (nothing written), start (the change
// gate asked for every commons, then the rollout and its targets written with
// the audit entry), pause, resume, abort, rollback (each audited with its
// effect), and the views. The engine (engine.ts) advances what is written.
import { randomUUID } from 'node:crypto';
import type { ActingPrincipal } from '../auth/principal';
import type { Logger } from '../../lib/logger';
import { isFinalDeployment } from '../../contracts/states';
import type { RolloutAction, RolloutPlan, RolloutRequest, RolloutState, RolloutTarget, RolloutTargetView, RolloutView, TargetState } from '../../contracts/rollouts';
import { auditEntry } from '../audit/record';
import type { ChangeGate, GateDecision } from '../changes/gate';
import type { DeploymentService } from '../deployments/service';
import { Conflict, NotFound } from '../domain/errors';
import type { EventBus } from '../events/bus';
import type { Fleet } from '../fleet/fleet';
import type { GroupDirectory } from '../groups/directory';
import type { RolloutRow, RolloutTargetRow, RolloutsStore } from '../store/rollouts-store';
import { planRollout } from './plan';
import { ACTIONS, waveProgress } from './state';

/** The change gate refused (or held for approval) one of the rollout's commons; the route answers with its status. */
export class RolloutGateRefusal extends Error {
  constructor(
    readonly commons: string,
    readonly decision: Exclude<GateDecision, { kind: 'allow' }>,
  ) {
    super(decision.detail);
  }
}

export interface RolloutDeps {
  store: RolloutsStore;
  deployments: Pick<DeploymentService, 'plan' | 'apply' | 'rollback' | 'view'>;
  groups: Pick<GroupDirectory, 'commonsIn'> | null;
  fleet: Pick<Fleet, 'get'>;
  events: EventBus;
  /** The change gate (deny windows, policies); null: none wired. */
  gate: ChangeGate | null;
  /** Whether the soak gate asks an Alertmanager. */
  alertGate: boolean;
  log: Logger;
  /** Told when something changed that the engine should act on now. */
  kick?: () => void;
}

export class RolloutService {
  constructor(private readonly d: RolloutDeps) {}

  async plan(req: RolloutRequest): Promise<RolloutPlan> {
    return (await planRollout(this.d, req, this.d.alertGate)).plan;
  }

  /**
   * Starts a rollout once the change gate allows it on every commons. A policy
   * that holds it opens one approval (on the first commons it holds); once
   * approved, the rollout is started again with `approval`: used on its
   * commons, it covers the others it holds.
   *
   * `opts.id` names the rollout (a maintenance window's occurrence names its
   * own): when a rollout of that id exists already, it is the answer and
   * nothing is asked or written again. `opts.scheduled` tells the gate who
   * scheduled it.
   */
  async start(req: RolloutRequest, principal: ActingPrincipal, approval?: { id: string; commons: string }, opts: { id?: string; scheduled?: { windowId: string } } = {}): Promise<RolloutView> {
    if (opts.id && (await this.d.store.get(opts.id))) return this.view(opts.id);
    const { plan, waves } = await planRollout(this.d, req, this.d.alertGate);
    const id = opts.id ?? randomUUID();
    const summary = `rollout of release ${req.change.release} to ${plan.commons.length} commons in ${waves.length} waves`;
    if (this.d.gate) {
      const order = approval ? [approval.commons, ...plan.commons.map((c) => c.commons).filter((c) => c !== approval.commons)] : plan.commons.map((c) => c.commons);
      const ask = (commons: string, probe: boolean) => {
        const granted = approval ? (commons === approval.commons ? { approvalId: approval.id } : { approvedWith: approval.id }) : {};
        return this.d.gate!.check({ kind: 'rollout', commons, principal, reason: req.reason, release: req.change.release, summary, request: req, probe, ...granted, ...(opts.scheduled ? { scheduled: opts.scheduled } : {}) });
      };
      // First every commons is only asked, so a refusal on any of them (a deny window) opens no approval on another.
      for (const commons of order) {
        const decision = await ask(commons, true);
        if (decision.kind === 'refuse') throw new RolloutGateRefusal(commons, decision);
      }
      for (const commons of order) {
        const decision = await ask(commons, false);
        if (decision.kind !== 'allow') throw new RolloutGateRefusal(commons, decision);
      }
    }
    const at = new Date().toISOString();
    const row: RolloutRow = {
      id,
      state: 'running',
      message: `wave 1 of ${waves.length}: canary ${waves[0][0]}`,
      target_json: JSON.stringify(req.target),
      change_json: JSON.stringify(req.change),
      max_in_flight: req.waves.maxInFlight,
      soak_seconds: req.waves.soakSeconds,
      reason: req.reason ?? '',
      actor: principal.actor,
      actor_kind: principal.kind,
      role: principal.role,
      failure_json: null,
      created_at: at,
      updated_at: at,
    };
    const targets = waves.flatMap((cs, w) =>
      cs.map((c, i) => ({ rollout_id: id, commons_id: c, wave: w + 1, position: i, state: 'pending', message: 'waiting for its wave', deployment_id: null, from_revision: null, to_revision: null, rollback_deployment_id: null, soak_since: null, updated_at: at })),
    );
    try {
      await this.d.store.create(
        row,
        targets,
        auditEntry(principal, {
          action: 'rollout.start',
          outcome: 'accepted',
          detail: { rollout: id, release: req.change.release, target: req.target, waves: waves.map((w) => w.length), maxInFlight: req.waves.maxInFlight, soakSeconds: req.waves.soakSeconds, reason: req.reason, ...(opts.scheduled ? { window: opts.scheduled.windowId } : {}) },
        }),
      );
    } catch (e) {
      // Started by another replica at the same moment: its rollout is the answer.
      if (opts.id && (await this.d.store.get(opts.id))) return this.view(opts.id);
      throw e;
    }
    this.d.log.info({ rollout: id, release: req.change.release, commons: targets.length, waves: waves.length, actor: principal.actor }, 'rollout started');
    this.publish(id, 'running', row.message, null);
    this.d.kick?.();
    return this.view(id);
  }

  /**
   * Pause, resume, abort or rollback. Resume re-checks a failed commons: one
   * whose deployment succeeded soaks again, one whose deployment failed is
   * deployed again. Abort and rollback skip the commons not started.
   */
  async act(id: string, action: RolloutAction, principal: ActingPrincipal, reason?: string): Promise<RolloutView> {
    const row = await this.d.store.get(id);
    if (!row) throw new NotFound(`rollout ${id}`);
    const { from, to } = ACTIONS[action];
    const conflict = () =>
      new Conflict(`Cannot ${action}`, `rollout ${id} is ${row.state}; ${action} needs it ${from.join(' or ')}`, [{ field: 'path.action', message: `not allowed while ${row.state}` }]);
    if (!from.includes(row.state as RolloutState)) throw conflict();
    const targets = await this.d.store.targets(id);
    const message = `${action} by ${principal.actor}${reason ? `: ${reason}` : ''}`;
    const moved = await this.d.store.move(id, from, to, { message, ...(action === 'resume' || action === 'rollback' ? { failure_json: null } : {}) }, auditEntry(principal, { action: `rollout.${action}`, outcome: 'accepted', detail: { rollout: id, from: row.state, reason } }));
    if (!moved) throw conflict();
    if (action === 'resume') {
      for (const t of targets.filter((x) => x.state === 'failed')) {
        const dep = t.deployment_id ? await this.d.deployments.view(t.deployment_id).catch(() => undefined) : undefined;
        // The engine starts the soak clock again at its next healthy check (its clock, not this replica's).
        if (dep?.state === 'succeeded') await this.d.store.moveTarget(id, t.commons_id, ['failed'], 'soaking', { soak_since: null, message: 'soaking again (resumed)' });
        else await this.d.store.moveTarget(id, t.commons_id, ['failed'], 'pending', { message: 'deploying again (resumed)' });
      }
    }
    if (action === 'abort' || action === 'rollback') {
      for (const t of targets.filter((x) => x.state === 'pending')) await this.d.store.moveTarget(id, t.commons_id, ['pending'], 'skipped', { message: `not started (${action})` });
    }
    this.d.log.info({ rollout: id, action, actor: principal.actor }, `rollout ${action}`);
    this.publish(id, to, message, null);
    this.d.kick?.();
    return this.view(id);
  }

  async list(limit: number): Promise<RolloutView[]> {
    const rows = await this.d.store.list(limit);
    return Promise.all(rows.map(async (r) => viewOf(r, await this.d.store.targets(r.id), new Map())));
  }

  async view(id: string): Promise<RolloutView> {
    const row = await this.d.store.get(id);
    if (!row) throw new NotFound(`rollout ${id}`);
    const targets = await this.d.store.targets(id);
    const deployments = new Map<string, { state: RolloutTargetView['deploymentState']; percent: number }>();
    await Promise.all(
      targets.map(async (t) => {
        const depId = t.rollback_deployment_id ?? t.deployment_id;
        if (!depId) return;
        const v = await this.d.deployments.view(depId).catch(() => undefined);
        if (v) deployments.set(depId, { state: v.state, percent: isFinalDeployment(v.state) && v.state === 'succeeded' ? 100 : v.percent });
      }),
    );
    return viewOf(row, targets, deployments);
  }

  publish(rollout: string, state: RolloutState, message: string, target: { commons: string; wave: number; state: TargetState; message: string } | null): void {
    this.d.events.publish({ type: 'rollout.updated', rollout, commons: target?.commons ?? null, state, message, target });
  }
}

export function viewOf(row: RolloutRow, targets: RolloutTargetRow[], deployments: Map<string, { state: RolloutTargetView['deploymentState']; percent: number }>): RolloutView {
  return {
    id: row.id,
    state: row.state as RolloutState,
    message: row.message,
    target: JSON.parse(row.target_json) as RolloutTarget,
    change: JSON.parse(row.change_json) as Record<string, unknown>,
    maxInFlight: row.max_in_flight,
    soakSeconds: row.soak_seconds,
    reason: row.reason,
    actor: row.actor,
    failure: row.failure_json ? (JSON.parse(row.failure_json) as { commons: string; reason: string }) : null,
    waves: waveProgress(targets),
    targets: targets.map((t) => {
      const depId = t.rollback_deployment_id ?? t.deployment_id;
      const dep = depId ? deployments.get(depId) : undefined;
      return {
        commons: t.commons_id,
        wave: t.wave,
        state: t.state as TargetState,
        message: t.message,
        deployment: t.deployment_id,
        deploymentState: dep?.state ?? null,
        percent: t.state === 'done' || t.state === 'rolled-back' ? 100 : (dep?.percent ?? 0),
        fromRevision: t.from_revision,
        toRevision: t.to_revision,
        rollbackDeployment: t.rollback_deployment_id,
        soakSince: t.soak_since,
        attempts: Number(t.attempts),
        updatedAt: t.updated_at,
      };
    }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
