// What a maintenance window does at its start, per commons: a registry of
// action kinds (contracts/windows.ts WindowAction), so rollouts and backups
// plug in their own. Every action asks the change gate first, as the author
// of the window with `scheduled` set (a deny window or a policy can refuse or
// hold it), and answers one line saying what it did or why not.
import type { Principal } from '../auth/principal';
import type { ChangeGate, ProposedChange } from '../changes/gate';
import type { CommandService } from '../commands/command-service';
import type { DeploymentService } from '../deployments/service';
import type { Fleet } from '../fleet/fleet';
import type { Store } from '../store/store';
import type { WindowAction } from '../../contracts/windows';

export interface ActionRun {
  commons: string;
  window: { id: string; name: string };
  principal: Principal;
  reason: string;
}

export type ActionRunner<A extends { kind: string }> = (action: A, run: ActionRun) => Promise<string>;

export class WindowActions {
  private readonly runners = new Map<string, ActionRunner<{ kind: string }>>();

  register<K extends WindowAction['kind']>(kind: K, runner: ActionRunner<Extract<WindowAction, { kind: K }>>): void {
    this.runners.set(kind, runner as ActionRunner<{ kind: string }>);
  }

  /** Runs one action on one commons; never throws (a failure is its line). */
  async run(action: { kind: string }, run: ActionRun): Promise<string> {
    const runner = this.runners.get(action.kind);
    if (!runner) return `${action.kind} on ${run.commons}: this control service has no ${action.kind} action (known: ${[...this.runners.keys()].join(', ')})`;
    try {
      return await runner(action, run);
    } catch (e) {
      return `${action.kind} on ${run.commons} failed: ${(e as Error).message}`;
    }
  }
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
}

/** The actions DCOC has itself: restart services, run a Job from a CronJob, deploy a release. */
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

  return actions;
}
