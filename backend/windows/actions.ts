// What a maintenance window does at its start: a registry of action kinds
// (contracts/windows.ts WindowAction), so rollouts and backups plug in their
// own. Most run on each commons of the window; some (a rollout) run once for
// the whole window. Every action asks the change gate first, as the author of
// the window with `scheduled` set (a deny window or a policy can refuse or
// hold it), and answers one line saying what it did or why not.
import { createHash } from 'node:crypto';
import type { ActingPrincipal } from '../auth/principal';
import type { ChangeGate, ProposedChange } from '../changes/gate';
import type { CommandService } from '../commands/command-service';
import type { DeploymentService } from '../deployments/service';
import type { Fleet } from '../fleet/fleet';
import { RolloutGateRefusal, type RolloutService } from '../rollouts/service';
import type { Store } from '../store/store';
import type { RolloutRequest } from '../../contracts/rollouts';
import type { WindowAction, WindowTarget } from '../../contracts/windows';

export interface ActionRun {
  commons: string;
  window: { id: string; name: string };
  principal: ActingPrincipal;
  reason: string;
}

export type ActionRunner<A extends { kind: string }> = (action: A, run: ActionRun) => Promise<string>;

/** One occurrence of a window, for an action that runs once for all its commons. */
export interface WindowRun {
  /** The window, the start of the occurrence, and the action's place in the window's list (with the start, it names the action's run). */
  window: { id: string; name: string; start: string; action: number };
  /** The window's target as written (a group stays a group). */
  target: WindowTarget;
  /** The commons the target named at the start (never empty). */
  commons: string[];
  principal: ActingPrincipal;
  reason: string;
}

export type WindowRunner<A extends { kind: string }> = (action: A, run: WindowRun) => Promise<string>;

export class WindowActions {
  private readonly runners = new Map<string, ActionRunner<{ kind: string }>>();
  private readonly windowRunners = new Map<string, WindowRunner<{ kind: string }>>();

  register<K extends WindowAction['kind']>(kind: K, runner: ActionRunner<Extract<WindowAction, { kind: K }>>): void {
    this.runners.set(kind, runner as ActionRunner<{ kind: string }>);
  }

  /** An action that runs once for the window, on all its commons at once (a rollout). */
  registerForWindow<K extends WindowAction['kind']>(kind: K, runner: WindowRunner<Extract<WindowAction, { kind: K }>>): void {
    this.windowRunners.set(kind, runner as WindowRunner<{ kind: string }>);
  }

  /** Whether the kind runs once for the window rather than on each commons. */
  perWindow(kind: string): boolean {
    return this.windowRunners.has(kind);
  }

  private known(): string {
    return [...this.runners.keys(), ...this.windowRunners.keys()].join(', ');
  }

  /** Runs one action on one commons; never throws (a failure is its line). */
  async run(action: { kind: string }, run: ActionRun): Promise<string> {
    const runner = this.runners.get(action.kind);
    if (!runner) return `${action.kind} on ${run.commons}: this control service has no ${action.kind} action (known: ${this.known()})`;
    try {
      return await runner(action, run);
    } catch (e) {
      return `${action.kind} on ${run.commons} failed: ${(e as Error).message}`;
    }
  }

  /** Runs one action once for the window; never throws (a failure is its line). */
  async runForWindow(action: { kind: string }, run: WindowRun): Promise<string> {
    const runner = this.windowRunners.get(action.kind);
    if (!runner) return `${action.kind} on ${run.commons.join(', ')}: this control service has no ${action.kind} action for a whole window (known: ${this.known()})`;
    try {
      return await runner(action, run);
    } catch (e) {
      return `${action.kind} on ${run.commons.join(', ')} failed: ${(e as Error).message}`;
    }
  }
}

/**
 * The id of the rollout a window's occurrence starts for its action: the same
 * for the same window, start and action wherever and however often it is
 * asked (a UUIDv8 from a hash), so a second start of it finds the first.
 */
export function windowRolloutId(run: Pick<WindowRun, 'window'>): string {
  const h = createHash('sha256').update(`dcoc:window-rollout:${run.window.id}@${run.window.start}#${run.window.action}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Asks the gate; undefined when allowed, else the line saying why not. */
export async function gateLine(gate: Pick<ChangeGate, 'check'>, change: ProposedChange): Promise<string | undefined> {
  const d = await gate.check(change);
  if (d.kind === 'allow') return undefined;
  if (d.kind === 'refuse') return `${change.summary}: refused by ${d.rule}: ${d.detail}`;
  return `${change.summary}: held for approval ${d.approvalId} (${d.rule})`;
}

export interface BuiltinActionDeps {
  gate: Pick<ChangeGate, 'check'>;
  commands: Pick<CommandService, 'create'>;
  deployments: Pick<DeploymentService, 'apply'>;
  store: Pick<Store, 'currentRevision'>;
  fleet: Pick<Fleet, 'get'>;
  /** The rollout service, asked when a window starts (it is built after the scheduler); null: none. */
  rollouts?: () => Pick<RolloutService, 'start'> | null;
}

/** The actions DCOC has itself: restart services, run a Job from a CronJob, deploy a release, roll a release out to the window's commons. */
export function builtinActions(d: BuiltinActionDeps): WindowActions {
  const actions = new WindowActions();
  const change = (run: ActionRun, kind: ProposedChange['kind'], summary: string, request: Record<string, unknown>, release?: string): ProposedChange => ({
    kind,
    commons: run.commons,
    principal: run.principal,
    reason: run.reason,
    summary,
    request,
    scheduled: { windowId: run.window.id },
    ...(release ? { release } : {}),
  });

  /** A commons the fleet does not know gets no command (it would wait for an agent until its deadline). */
  const unknown = (run: ActionRun, what: string) => (d.fleet.get(run.commons) ? undefined : `${what} on ${run.commons}: no such commons in the fleet (removed, or never enrolled)`);

  actions.register('restart', async (a, run) => {
    const missing = unknown(run, `restart ${a.services.join(', ')}`);
    if (missing) return missing;
    const lines: string[] = [];
    const known = d.fleet.get(run.commons)?.services;
    for (const service of a.services) {
      if (known && !known.has(service)) {
        lines.push(`restart ${service} on ${run.commons}: no such service (known: ${[...known.keys()].join(', ') || 'none yet'})`);
        continue;
      }
      const no = await gateLine(d.gate, change(run, 'restart', `restart ${service} on ${run.commons}`, { id: run.commons, service, reason: run.reason }));
      if (no) {
        lines.push(no);
        continue;
      }
      const restartedAt = new Date().toISOString();
      const row = await d.commands.create({ kind: 'restart', commonsId: run.commons, service, target: { restartedAt }, principal: run.principal, action: 'service.restart', detail: { restartedAt, reason: run.reason, window: run.window.id } });
      lines.push(`restart ${service} on ${run.commons}: command ${row.id}`);
    }
    return lines.join('; ');
  });

  actions.register('run-job', async (a, run) => {
    const missing = unknown(run, `run a Job from ${a.cronjob}`);
    if (missing) return missing;
    const no = await gateLine(d.gate, change(run, 'job', `run a Job from ${a.cronjob} on ${run.commons}`, { id: run.commons, cronjob: a.cronjob, reason: run.reason }));
    if (no) return no;
    const row = await d.commands.create({ kind: 'run-job', commonsId: run.commons, service: a.cronjob, target: { cronjob: a.cronjob }, principal: run.principal, action: 'job.run', detail: { cronjob: a.cronjob, reason: run.reason, window: run.window.id } });
    return `run a Job from ${a.cronjob} on ${run.commons}: command ${row.id}`;
  });

  actions.register('deploy', async (a, run) => {
    const current = await d.store.currentRevision(run.commons);
    if (!current) return `deploy ${a.release} on ${run.commons}: no DCOC revision to carry the overrides from; deploy it once by hand`;
    const summary = `deploy ${a.release} on ${run.commons}`;
    const request = { commons: run.commons, release: a.release, overrides: JSON.parse(current.overrides_json) as Record<string, unknown>, mode: 'apply' as const, reason: run.reason, baseRevision: current.revision };
    const no = await gateLine(d.gate, change(run, 'deploy', summary, request, a.release));
    if (no) return no;
    const dep = await d.deployments.apply(request, run.principal);
    return `${summary}: deployment ${dep.id} (revision ${dep.revision})`;
  });

  actions.registerForWindow('rollout', async (a, run) => {
    const target: WindowTarget = 'group' in run.target ? run.target : { commons: run.commons };
    const summary = `rollout of release ${a.release} to ${'group' in target ? `group ${target.group}` : target.commons.join(', ')}`;
    const service = d.rollouts?.() ?? null;
    if (!service) return `${summary}: this control service has no rollouts`;
    const req: RolloutRequest = {
      target,
      change: { release: a.release, ...(a.template ? { template: a.template } : {}), ...(a.profile ? { profile: a.profile } : {}) },
      waves: a.waves ?? { maxInFlight: 5, soakSeconds: 60 },
      reason: run.reason.slice(0, 2000),
      mode: 'apply',
    };
    try {
      const view = await service.start(req, run.principal, undefined, { id: windowRolloutId(run), scheduled: { windowId: run.window.id } });
      return `${summary}: rollout ${view.id} (${view.targets.length} commons in ${view.waves.length} waves)`;
    } catch (e) {
      if (!(e instanceof RolloutGateRefusal)) throw e;
      const no = e.decision;
      if (no.kind === 'refuse') return `${summary}: refused by ${no.rule} on ${e.commons}: ${no.detail}`;
      return `${summary}: held for approval ${no.approvalId} (${no.rule}); the rollout starts once it is approved`;
    }
  });

  return actions;
}
