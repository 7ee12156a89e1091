// Advances every open rollout, on the sweeper replica only, a tick at a time,
// from what the store says (so a restarted control service carries on where
// the last one stopped): follows each commons' deployment, soaks it behind
// the gate, starts the next commons of the wave, stops on a failure, rolls
// back finished commons. A deployment is made through DeploymentService with
// a link that records it on the target in the deployment's own transaction:
// a commons is never deployed twice for one step, whatever restarts.
import type { ActingPrincipal } from '../auth/principal';
import type { Logger } from '../../lib/logger';
import { isFinalDeployment } from '../../contracts/states';
import type { RolloutChange, RolloutState, TargetState } from '../../contracts/rollouts';
import type { Role } from '../../contracts/roles';
import { auditEntry } from '../audit/record';
import type { DeploymentService } from '../deployments/service';
import { DomainError } from '../domain/errors';
import type { RolloutRow, RolloutTargetRow, RolloutsStore } from '../store/rollouts-store';
import type { SoakGate } from './gates';
import { deploymentRequest } from './plan';
import type { RolloutService } from './service';
import { allDone, currentWave, nextToRollBack, nextToStart, rollbackOver } from './state';

const SYSTEM = { actor: 'system:rollouts', kind: 'system' } as const;

export interface EngineDeps {
  store: RolloutsStore;
  deployments: Pick<DeploymentService, 'apply' | 'rollback' | 'view'>;
  service: Pick<RolloutService, 'publish'>;
  soak: SoakGate;
  log: Logger;
  /** Whether this replica advances rollouts (it holds the sweeper role). */
  leads: () => boolean;
  tickMs: number;
  /** How long a soaking commons may fail the gate before the rollout stops on it (a health report or two of lag after a deploy is not a failure). */
  graceMs: number;
  now?: () => number;
}

export class RolloutEngine {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private again = false;
  /** When each soaking commons (rollout/commons) started failing the gate; in memory: a restart gives it a fresh grace. */
  private readonly failingSince = new Map<string, number>();

  constructor(private readonly d: EngineDeps) {}

  start(): void {
    this.timer ??= setInterval(() => this.kick(), this.d.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Runs a tick now (or right after the one running). */
  kick(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = this.tick()
      .catch((e: Error) => this.d.log.error({ err: e }, 'rollout tick failed; retried at the next'))
      .finally(() => {
        this.busy = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no tick is running (tests). */
  async idle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  async tick(): Promise<void> {
    if (!this.d.leads()) return;
    for (const r of await this.d.store.listOpen()) {
      try {
        await this.advance(r);
      } catch (e) {
        this.d.log.error({ err: e, rollout: r.id }, 'rollout could not advance; retried at the next tick');
      }
    }
  }

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  private async advance(r: RolloutRow): Promise<void> {
    let state = r.state as RolloutState;
    for (const t of await this.d.store.targets(r.id)) {
      const failure = await this.observe(r, state, t);
      if (failure && (state === 'running' || state === 'paused')) {
        const message = `stopped on ${t.commons_id} (wave ${t.wave}): ${failure}; fix it and resume, or abort`;
        const moved = await this.d.store.move(r.id, ['running', 'paused'], 'paused-on-failure', { message, failure_json: JSON.stringify({ commons: t.commons_id, reason: failure }) }, auditEntry(SYSTEM, { action: 'rollout.paused-on-failure', outcome: 'failed', commons: t.commons_id, detail: { rollout: r.id, wave: t.wave, reason: failure } }));
        if (moved) {
          state = 'paused-on-failure';
          this.d.log.warn({ rollout: r.id, commons: t.commons_id, wave: t.wave, reason: failure }, 'rollout paused on a failure');
          this.d.service.publish(r.id, state, message, null);
        }
      }
    }
    const targets = await this.d.store.targets(r.id);
    if (state === 'running') {
      if (allDone(targets)) {
        const message = `completed: ${targets.length} commons`;
        if (await this.d.store.move(r.id, ['running'], 'completed', { message }, auditEntry(SYSTEM, { action: 'rollout.completed', outcome: 'succeeded', detail: { rollout: r.id, commons: targets.length } }))) {
          this.d.log.info({ rollout: r.id }, 'rollout completed');
          this.d.service.publish(r.id, 'completed', message, null);
        }
        return;
      }
      const wave = currentWave(targets);
      const waves = Math.max(...targets.map((t) => t.wave));
      const next = nextToStart(targets, r.max_in_flight);
      if (next.length) await this.d.store.move(r.id, ['running'], 'running', { message: `wave ${wave} of ${waves}` });
      for (const c of next) await this.deploy(r, targets.find((t) => t.commons_id === c)!);
    } else if (state === 'rolling-back') {
      const { start, cannot } = nextToRollBack(targets, r.max_in_flight);
      for (const c of cannot) await this.moveTarget(r, state, targets.find((t) => t.commons_id === c.commons)!, ['done', 'soaking', 'failed'], 'not-rolled-back', { message: c.why });
      for (const c of start) await this.rollBack(r, targets.find((t) => t.commons_id === c)!);
      const after = await this.d.store.targets(r.id);
      if (rollbackOver(after)) {
        const n = after.filter((t) => t.state === 'rolled-back').length;
        const failed = after.filter((t) => t.state === 'rollback-failed').map((t) => t.commons_id);
        const message = `rolled back ${n} commons${failed.length ? `; failed on ${failed.join(', ')}: roll them back by hand (POST /api/v1/commons/{id}/rollback)` : ''}`;
        if (await this.d.store.move(r.id, ['rolling-back'], 'rolled-back', { message }, auditEntry(SYSTEM, { action: 'rollout.rolled-back', outcome: failed.length ? 'failed' : 'succeeded', detail: { rollout: r.id, rolledBack: n, failed } }))) {
          this.d.service.publish(r.id, 'rolled-back', message, null);
        }
      }
    }
  }

  /** Follows one commons; the reason it failed, when it failed now. */
  private async observe(r: RolloutRow, state: RolloutState, t: RolloutTargetRow): Promise<string | undefined> {
    if (t.state === 'deploying' || t.state === 'rolling-back') {
      const depId = t.state === 'deploying' ? t.deployment_id : t.rollback_deployment_id;
      const dep = depId ? await this.d.deployments.view(depId).catch(() => undefined) : undefined;
      if (!dep || !isFinalDeployment(dep.state)) return undefined;
      if (t.state === 'rolling-back') {
        const ok = dep.state === 'succeeded';
        await this.moveTarget(r, state, t, ['rolling-back'], ok ? 'rolled-back' : 'rollback-failed', { message: ok ? `back at revision ${t.from_revision} (as revision ${dep.revision})` : `rollback ${dep.state}: ${dep.message}` });
        return undefined;
      }
      if (dep.state === 'succeeded') {
        await this.moveTarget(r, state, t, ['deploying'], 'soaking', { soak_since: new Date(this.now()).toISOString(), message: `revision ${dep.revision} deployed; soaking ${r.soak_seconds}s` });
        return undefined;
      }
      const reason = `deployment ${dep.state}: ${dep.message}`;
      return (await this.moveTarget(r, state, t, ['deploying'], 'failed', { message: reason })) ? reason : undefined;
    }
    if (t.state === 'soaking' && state !== 'rolling-back') return this.soak(r, state, t);
    return undefined;
  }

  private async soak(r: RolloutRow, state: RolloutState, t: RolloutTargetRow): Promise<string | undefined> {
    const key = `${r.id}/${t.commons_id}`;
    const gate = await this.d.soak.check(t.commons_id);
    const now = this.now();
    if (gate.ok) {
      this.failingSince.delete(key);
      if (!t.soak_since) {
        await this.d.store.moveTarget(r.id, t.commons_id, ['soaking'], 'soaking', { soak_since: new Date(now).toISOString(), message: `healthy again; soaking ${r.soak_seconds}s` });
        return undefined;
      }
      if (now - Date.parse(t.soak_since) >= r.soak_seconds * 1000) await this.moveTarget(r, state, t, ['soaking'], 'done', { message: `healthy for ${r.soak_seconds}s${this.d.soak.checksAlerts ? ', no alert firing' : ''}` });
      return undefined;
    }
    const first = this.failingSince.get(key);
    if (first === undefined) {
      // Healthy continuously: the soak starts over once the gate passes again.
      this.failingSince.set(key, now);
      await this.d.store.moveTarget(r.id, t.commons_id, ['soaking'], 'soaking', { soak_since: null, message: `waiting: ${gate.reason}` });
      return undefined;
    }
    if (now - first < this.d.graceMs) return undefined;
    this.failingSince.delete(key);
    return (await this.moveTarget(r, state, t, ['soaking'], 'failed', { message: gate.reason })) ? gate.reason : undefined;
  }

  private principalOf(r: RolloutRow): ActingPrincipal {
    return { actor: r.actor, kind: r.actor_kind as ActingPrincipal['kind'], role: r.role as Role };
  }

  private async deploy(r: RolloutRow, t: RolloutTargetRow): Promise<void> {
    const change = JSON.parse(r.change_json) as RolloutChange;
    const reason = `rollout ${r.id} (wave ${t.wave}): ${r.reason}`;
    try {
      const dep = await this.d.deployments.apply(deploymentRequest(t.commons_id, change, 'apply', reason), this.principalOf(r), this.d.store.linkDeployment(r.id, t.commons_id, 'deploy', ['pending']));
      this.d.log.info({ rollout: r.id, commons: t.commons_id, wave: t.wave, deployment: dep.id, revision: dep.revision }, 'rollout deployed a commons');
      this.d.service.publish(r.id, r.state as RolloutState, r.message, { commons: t.commons_id, wave: t.wave, state: 'deploying', message: `deploying revision ${dep.revision}` });
    } catch (e) {
      const now = (await this.d.store.targets(r.id)).find((x) => x.commons_id === t.commons_id);
      if (now?.state !== 'pending') return; // someone else started it (or moved it): nothing was deployed by this call
      if ((await this.d.store.get(r.id))?.state !== 'running') return; // paused, aborted or rolled back meanwhile: it stays pending
      const why = e instanceof DomainError ? e.detail : (e as Error).message;
      await this.moveTarget(r, r.state as RolloutState, t, ['pending'], 'failed', { message: `could not deploy: ${why}` });
      // A failure here stops the rollout at the next tick's observation of failed targets: move now so it is not missed.
      const message = `stopped on ${t.commons_id} (wave ${t.wave}): could not deploy: ${why}; fix it and resume, or abort`;
      if (await this.d.store.move(r.id, ['running'], 'paused-on-failure', { message, failure_json: JSON.stringify({ commons: t.commons_id, reason: `could not deploy: ${why}` }) }, auditEntry(SYSTEM, { action: 'rollout.paused-on-failure', outcome: 'failed', commons: t.commons_id, detail: { rollout: r.id, wave: t.wave, reason: why } }))) {
        this.d.service.publish(r.id, 'paused-on-failure', message, null);
      }
    }
  }

  private async rollBack(r: RolloutRow, t: RolloutTargetRow): Promise<void> {
    const from: TargetState[] = ['done', 'soaking', 'failed'];
    try {
      const dep = await this.d.deployments.rollback(t.commons_id, { toRevision: t.from_revision!, reason: `rollback of rollout ${r.id}` }, this.principalOf(r), this.d.store.linkDeployment(r.id, t.commons_id, 'rollback', from));
      this.d.service.publish(r.id, 'rolling-back', r.message, { commons: t.commons_id, wave: t.wave, state: 'rolling-back', message: `rolling back to revision ${t.from_revision} (revision ${dep.revision})` });
    } catch (e) {
      const now = (await this.d.store.targets(r.id)).find((x) => x.commons_id === t.commons_id);
      if (!now || !from.includes(now.state as TargetState)) return;
      const why = e instanceof DomainError ? e.detail : (e as Error).message;
      await this.moveTarget(r, 'rolling-back', t, from, 'rollback-failed', { message: `could not roll back: ${why}` });
    }
  }

  private async moveTarget(r: RolloutRow, state: RolloutState, t: RolloutTargetRow, from: TargetState[], to: TargetState, patch: { message: string; soak_since?: string | null }): Promise<boolean> {
    const moved = await this.d.store.moveTarget(r.id, t.commons_id, from, to, patch);
    if (moved) this.d.service.publish(r.id, state, r.message, { commons: t.commons_id, wave: t.wave, state: to, message: patch.message });
    return moved;
  }
}
