// Deployments: plan (planner.ts: render, validate, diff; nothing written),
// apply and rollback (a numbered revision and its audit entry written together
// before anything takes effect; then the GitOps commit when a repository is
// configured; then the deploy command), cancel, and the views with live
// per-service progress, also published as `deployment.updated` events.
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import type { CommandService } from '../commands/command-service';
import type { Logger } from '../../lib/logger';
import type { DeploymentPlan, DeploymentRequest, DeploymentView, RevisionDetail, RevisionSummary } from '../../contracts/api';
import { isFinal } from '../../contracts/api';
import { isNotStarted } from '../../contracts/states';
import type { EventBus } from '../events/bus';
import type { Fleet } from '../fleet/fleet';
import { Conflict, Invalid, NotFound, Refused, onField } from '../domain/errors';
import { ConflictError, type DeploymentRow, type Store } from '../store/store';
import type { Blueprints, Profile, Template } from './blueprints';
import { type GitOps, GitOpsError } from './gitops';
import { Planner, type Prepared, invalid } from './planner';
import type { ReleaseCatalog } from './release-catalog';
import { chartOfService } from '../../contracts/gen3/charts';
import { deployTarget } from './render';
import { type Values, getPath, isMap } from './values';
import { argoApplications, argoOwnership } from '../fleet/gitops-owned';
import { editValuesFile } from './values-edit';
import { deploymentView, revisionDetail, revisionSummary } from './views';

export interface DeploymentDeps {
  store: Store;
  fleet: Fleet;
  events: EventBus;
  commands: CommandService;
  catalog: ReleaseCatalog;
  blueprints: Blueprints;
  gitops: GitOps | null;
  log: Logger;
  deployDeadlineMs: number;
}

/** Services the deploy restarts once rolled out (a config change's readers), when there are any. */
function restartAfter(dep: DeploymentRow): { restartAfter?: string[] } {
  const list = JSON.parse(dep.restart_after_json || '[]') as string[];
  return list.length ? { restartAfter: list } : {};
}

/** Git author of a revision: Grafana users as themselves, API tokens as token:<name>. */
function authorOf(p: Principal): { name: string; email: string } {
  if (p.kind === 'token') return { name: p.actor, email: 'noreply@dcoc' };
  return { name: p.name || p.actor, email: p.email || 'noreply@dcoc' };
}

export class DeploymentService {
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private readonly planner: Planner;

  constructor(private readonly d: DeploymentDeps) {
    this.planner = new Planner(d);
  }

  /** Follows deploy commands into deployment events, and finishes what a restart interrupted. */
  async start(): Promise<void> {
    // What another replica reported is that replica's to act on (it holds the agent).
    this.unsubscribe = this.d.events.subscribe((e, origin) => {
      if (origin.remote) return;
      if (e.type === 'command.updated' && e.kind === 'deploy') this.enqueue(() => this.publishByCommand(e.command));
      else if (e.type === 'agent.connected' || e.type === 'agent.disconnected') this.enqueue(() => this.publishWaiting(e.commons));
    });
  }

  /** Carries on with deployments a stopped replica left committing; on one replica (the sweeper). */
  async resume(): Promise<void> {
    for (const dep of await this.d.store.listDeploymentsInPhase('committing')) void this.proceed(dep);
  }

  stop(): void {
    this.unsubscribe?.();
  }

  // ------------------------------------------------------------------ reading

  templates(): Template[] {
    return [...this.d.blueprints.templates.values()];
  }

  profiles(): Profile[] {
    return [...this.d.blueprints.profiles.values()];
  }

  async view(id: string, withProgress = false): Promise<DeploymentView> {
    const dep = await this.d.store.getDeployment(id);
    if (!dep) throw new NotFound(`deployment ${id}`);
    return this.viewOf(dep, withProgress);
  }

  async list(filter: { commons?: string; limit: number }): Promise<DeploymentView[]> {
    const rows = await this.d.store.listDeployments(filter);
    return Promise.all(rows.map((r) => this.viewOf(r)));
  }

  async revisions(commonsId: string): Promise<RevisionSummary[]> {
    await this.planner.commonsRef(commonsId);
    const rows = await this.d.store.listRevisions(commonsId);
    return Promise.all(rows.map(async (r) => revisionSummary(r, await this.viewOfId(r.deployment_id))));
  }

  async revision(commonsId: string, n: number): Promise<RevisionDetail> {
    await this.planner.commonsRef(commonsId);
    const r = await this.d.store.getRevision(commonsId, n);
    if (!r) throw new NotFound(`revision ${n} of commons ${commonsId}`);
    return revisionDetail(r, await this.viewOfId(r.deployment_id));
  }

  private async viewOfId(id: string): Promise<DeploymentView | undefined> {
    const dep = await this.d.store.getDeployment(id);
    return dep && this.viewOf(dep);
  }

  private async viewOf(dep: DeploymentRow, withProgress = false): Promise<DeploymentView> {
    const [rev, cmd] = await Promise.all([this.d.store.getRevision(dep.commons_id, dep.revision), this.d.store.getCommand(dep.command_id)]);
    const live = this.d.fleet.get(dep.commons_id);
    const events = withProgress && cmd ? await this.d.store.listCommandEvents(cmd.id) : withProgress ? [] : undefined;
    return deploymentView(dep, rev, cmd, live, !!live && this.d.fleet.online(live), events);
  }

  // ------------------------------------------------------------------ plan, apply, rollback

  plan(req: DeploymentRequest): Promise<DeploymentPlan> {
    return this.planner.plan(req);
  }

  async apply(req: DeploymentRequest, principal: Principal): Promise<DeploymentView> {
    const p = await this.planner.prepare(req);
    return this.record(p, principal, { kind: 'deploy', rollbackOf: null, reason: req.reason ?? '', baseRevision: req.baseRevision });
  }

  /**
   * The HPA range that manages a service's replicas in the commons' current
   * revision, if one does: a scale of it would be overridden at the HPA's next
   * sync, so it is refused with where to change the range instead.
   */
  async hpaRangeOf(commonsId: string, service: string): Promise<{ min: number; max: number; field: string } | undefined> {
    const current = await this.d.store.currentRevision(commonsId);
    const chartName = chartOfService(service);
    if (!current || !chartName) return undefined;
    const values = JSON.parse(current.values_json) as Values;
    const a = getPath(values, [chartName, 'autoscaling']);
    if (!isMap(a) || a.enabled !== true || typeof a.minReplicas !== 'number' || typeof a.maxReplicas !== 'number') return undefined;
    const own = deployTarget(values).hpa?.[service];
    return own ? { ...own, field: `dcoc.hpa.${service}` } : { min: a.minReplicas, max: a.maxReplicas, field: `${chartName}.autoscaling` };
  }

  get gitopsEnabled(): boolean {
    return !!this.d.gitops;
  }

  /**
   * A scale of a commons ArgoCD owns, as a revision: the current revision's
   * overrides with the chart's replicaCount changed, committed to GitOps for
   * ArgoCD to apply (a scale the agent made would be reverted by self-heal).
   */
  async scaleThroughGitOps(commonsId: string, service: string, replicas: number, principal: Principal): Promise<DeploymentView> {
    const current = await this.d.store.currentRevision(commonsId);
    const chartName = chartOfService(service);
    const refuse = (detail: string) => new Refused('Commons managed by ArgoCD', detail, onField('path.service', detail));
    if (!current) throw refuse(`${commonsId} has no DCOC revision to change replicaCount in; deploy it once (POST /api/v1/deployments), then scale`);
    if (!chartName) throw refuse(`${service} is not rendered by a gen3-helm chart DCOC knows; change its replicas in the GitOps repository`);
    if (chartName !== service) throw refuse(`${service} takes ${chartName}'s replicaCount in gen3-helm; scale ${chartName}`);
    const values = JSON.parse(current.values_json) as Values;
    if (getPath(values, [chartName, 'autoscaling', 'enabled']) === true) throw refuse(`an HPA manages ${service}'s replicas (${chartName}.autoscaling); change its range with a deploy`);
    const overrides = JSON.parse(current.overrides_json) as Values;
    const chartOverrides = isMap(overrides[chartName]) ? (overrides[chartName] as Values) : {};
    const req: DeploymentRequest = {
      commons: commonsId,
      release: current.release,
      overrides: { ...overrides, [chartName]: { ...chartOverrides, replicaCount: replicas } },
      mode: 'apply',
      reason: `scale ${service} to ${replicas} replicas (ArgoCD owns the commons: routed through GitOps)`,
      baseRevision: current.revision,
    };
    try {
      return await this.apply(req, principal);
    } catch (e) {
      // The values a scale makes are invalid only through the replicas asked for.
      if (e instanceof Invalid) throw new Invalid('Invalid scale', onField('body.replicas', e.detail), e.detail);
      throw e;
    }
  }

  /**
   * Whether a config change of this commons goes into its values: helm and
   * ArgoCD render manifest-global from global.*, so once DCOC has the
   * commons' values every config change is a revision. 'refuse' where the
   * chart or ArgoCD renders the ConfigMap but DCOC has no values yet (a direct
   * write would be reverted); 'direct' for agents that change only what they
   * are told and no GitOps (the ConfigMap is nobody else's).
   */
  async configRoute(commonsId: string): Promise<{ route: 'values' | 'direct' } | { route: 'refuse'; why: string }> {
    const live = this.d.fleet.get(commonsId);
    const method = live?.agent.deployMethod ?? null;
    const chart = method === 'helm-upgrade' || method === 'helm-template';
    const apps = argoApplications(live);
    const argo = apps.length > 0;
    const current = await this.d.store.currentRevision(commonsId);
    if (argo && !this.d.gitops) {
      return { route: 'refuse', why: `${argoOwnership(apps, live!)}, manifest-global with it; configure DCOC's GitOps (DCOC_GITOPS_REPO) or change global.* in the repository the Application syncs` };
    }
    if (current && (chart || argo || this.d.gitops || method === 'simulated')) return { route: 'values' };
    if (chart || argo) {
      return {
        route: 'refuse',
        why: `gen3-helm renders manifest-global from global.*, and the next helm upgrade would undo a direct write; DCOC has no values for ${commonsId} yet: deploy it once (POST /api/v1/deployments), then change the config`,
      };
    }
    return { route: 'direct' };
  }

  /** A config change as a revision of global.* (global-config.ts), applied like a deploy; readers of changed keys restart after. */
  async configThroughValues(commonsId: string, change: { global: Values; restart: string[] }, reason: string, principal: Principal): Promise<DeploymentView> {
    const current = await this.d.store.currentRevision(commonsId);
    if (!current) throw new Conflict('No values to change', `${commonsId} has no DCOC revision; deploy it once, then change the config`);
    // The planner carries the current global over and merges this change into it (planner.ts carryGlobal).
    const overrides = { ...(JSON.parse(current.overrides_json) as Values), global: change.global };
    const p = await this.planner.prepare({ commons: commonsId, release: current.release, overrides, mode: 'apply', reason, baseRevision: current.revision });
    return this.record(p, principal, { kind: 'deploy', rollbackOf: null, reason, baseRevision: current.revision, restartAfter: change.restart });
  }

  /** The revision a rollback moves back to: NotFound for an unknown commons, invalid naming body.toRevision for a revision it does not have. */
  async rollbackTarget(commonsId: string, toRevision: number) {
    await this.planner.commonsRef(commonsId);
    const old = await this.d.store.getRevision(commonsId, toRevision);
    if (!old) {
      const top = (await this.d.store.listRevisions(commonsId))[0]?.revision;
      throw invalid([{ field: 'body.toRevision', message: top ? `no revision ${toRevision} of ${commonsId}; it has revisions 1–${top}` : `${commonsId} has no revisions yet` }]);
    }
    return old;
  }

  async rollback(commonsId: string, req: { toRevision: number; reason: string; baseRevision?: number | null }, principal: Principal): Promise<DeploymentView> {
    const commons = await this.planner.commonsRef(commonsId);
    const old = await this.rollbackTarget(commonsId, req.toRevision);
    const current = await this.d.store.currentRevision(commonsId);
    const p = this.planner.forValues(commons, current, {
      template: old.template,
      profile: old.profile,
      release: old.release,
      overrides: JSON.parse(old.overrides_json) as Values,
      values: JSON.parse(old.values_json) as Values,
    });
    return this.record(p, principal, { kind: 'rollback', rollbackOf: old.revision, reason: req.reason, baseRevision: req.baseRevision });
  }

  private async record(
    p: Prepared,
    principal: Principal,
    o: { kind: 'deploy' | 'rollback'; rollbackOf: number | null; reason: string; baseRevision?: number | null; restartAfter?: string[] },
  ): Promise<DeploymentView> {
    const baseRevision = p.base.row?.revision ?? null;
    if (p.refusal) throw new Refused('Commons managed by ArgoCD', p.refusal, onField('body.commons', p.refusal));
    if (o.baseRevision !== undefined && o.baseRevision !== baseRevision) {
      throw new Conflict('Stale plan', `${p.commons.id} is at revision ${baseRevision ?? 'none'}, not ${o.baseRevision ?? 'none'}; plan again and review the new diff`, [
        { field: 'body.baseRevision', message: `current revision is ${baseRevision ?? 'none'}` },
      ]);
    }
    const at = new Date().toISOString();
    const id = randomUUID();
    const commandId = randomUUID();
    const author = authorOf(principal);
    const action = o.kind === 'rollback' ? 'deployment.rollback' : 'deployment.apply';
    const gitopsPath = this.d.gitops?.pathFor(p.commons.hostname) ?? null;
    let created;
    try {
      created = await this.d.store.createDeployment({
        commons: p.commons.exists
          ? undefined
          : {
              id: p.commons.id,
              name: p.commons.name,
              hostname: p.commons.hostname,
              environment: p.commons.environment,
              namespace: p.commons.namespace,
              agent_id: null,
              release: '',
              config_revision: 0,
              config_json: '{}',
              created_at: at,
              updated_at: at,
            },
        revision: {
          commons_id: p.commons.id,
          values_json: JSON.stringify(p.values),
          release: p.release,
          template: p.template,
          profile: p.profile,
          overrides_json: JSON.stringify(p.overrides),
          kind: o.kind,
          rollback_of: o.rollbackOf,
          base_revision: baseRevision,
          base_source: p.base.source,
          diff_json: JSON.stringify(p.diff.changes),
          diff_text: p.diff.text,
          author: principal.actor,
          reason: o.reason,
          created_at: at,
          deployment_id: id,
        },
        deployment: {
          id,
          commons_id: p.commons.id,
          kind: o.kind,
          phase: 'committing',
          message: this.d.gitops ? `committing to ${this.d.gitops.displayRepo}` : 'queuing the rollout',
          command_id: commandId,
          gitops_state: this.d.gitops ? 'pending' : 'disabled',
          gitops_path: gitopsPath,
          gitops_commit: null,
          applied_by: p.appliedBy,
          restart_after_json: JSON.stringify(o.restartAfter ?? []),
          plan_services_json: JSON.stringify(p.services.filter((s) => s.changes).map(({ changes: _c, ...s }) => s)),
          actor: principal.actor,
          actor_kind: principal.kind,
          role: principal.role,
          author_name: author.name,
          author_email: author.email,
          reason: o.reason,
          created_at: at,
          updated_at: at,
        },
        audit: {
          at,
          actor: principal.actor,
          actor_kind: principal.kind,
          role: principal.role,
          action,
          commons_id: p.commons.id,
          service: null,
          detail_json: JSON.stringify({ deployment: id, release: p.release, template: p.template, profile: p.profile, base: baseRevision, rollbackOf: o.rollbackOf, reason: o.reason, changes: p.diff.changes.length }),
          outcome: 'accepted',
          // The deploy command's id is fixed now, so the audit log shows how the rollout ended.
          command_id: commandId,
        },
        expectBase: baseRevision,
      });
    } catch (e) {
      if (e instanceof ConflictError) throw new Conflict('Deployment conflict', `${e.message}; wait for it (or cancel it), plan again and retry`);
      throw e;
    }
    if (!p.commons.exists) {
      const row = await this.d.store.getCommons(p.commons.id);
      if (row) this.d.fleet.ensure(row);
      this.d.events.publish({ type: 'commons.added', commons: p.commons.id });
    }
    this.d.log.info({ deployment: id, commons: p.commons.id, revision: created.revision.revision, release: p.release, actor: principal.actor }, `${action} recorded`);
    this.publish(created.deployment);
    void this.proceed(created.deployment);
    return this.viewOf(created.deployment);
  }

  /** GitOps commit (when configured), then the deploy command. Safe to run again for the same deployment. */
  private async proceed(dep: DeploymentRow): Promise<void> {
    try {
      const rev = await this.d.store.getRevision(dep.commons_id, dep.revision);
      const commons = await this.d.store.getCommons(dep.commons_id);
      if (!rev || !commons) throw new Error(`revision ${dep.revision} or commons ${dep.commons_id} missing`);
      const values = JSON.parse(rev.values_json) as Values;
      if (dep.gitops_state === 'pending') {
        if (!this.d.gitops) return void (await this.fail(dep, 'GitOps was configured when this deployment was recorded but is not now; nothing was committed or rolled out'));
        const release = await this.d.catalog.get(rev.release);
        try {
          // The file is edited with what changes from the values DCOC committed before (the base revision's, when its commit
          // reached the repository; a rollback's base is the revision it leaves), or from the file itself when there are none.
          const base = rev.base_revision === null ? undefined : await this.d.store.getRevision(dep.commons_id, rev.base_revision);
          const committed = base && (await this.d.store.getDeployment(base.deployment_id))?.gitops_state === 'pushed' ? (JSON.parse(base.values_json) as Values) : undefined;
          const r = await this.d.gitops.commit({
            hostname: commons.hostname,
            namespace: commons.namespace || commons.id,
            edit: (existing) =>
              editValuesFile(existing, committed, values, {
                header: `gen3-helm values of ${commons.hostname}, created by DCOC with revision ${rev.revision}: Gen3 release ${rev.release}${release?.name ? ` (${release.name})` : ''}, template ${rev.template}, profile ${rev.profile}.\nLater revisions change only the values they change; everything else here is kept as written.`,
              }),
            author: { name: dep.author_name, email: dep.author_email },
            message: `${commons.hostname}: revision ${rev.revision}, Gen3 release ${rev.release} (${rev.kind}${rev.rollback_of ? ` to revision ${rev.rollback_of}` : ''})\n\n${rev.reason}\n\nDCOC-Revision: ${rev.revision}\nDCOC-Deployment: ${dep.id}\nDCOC-Actor: ${dep.actor}\n`,
          });
          const moved = await this.d.store.moveDeployment(dep.id, 'committing', { gitops: 'pushed' }, { gitops_commit: r.commit, message: `committed ${r.commit.slice(0, 12)}; queuing the rollout`, updated_at: new Date().toISOString() });
          if (moved) dep = moved;
        } catch (e) {
          if (!(e instanceof GitOpsError)) throw e;
          return void (await this.fail(dep, `GitOps: ${e.message}. Nothing was rolled out`));
        }
      }
      if (!(await this.d.store.getCommand(dep.command_id))) {
        await this.d.commands.create({
          id: dep.command_id,
          kind: 'deploy',
          commonsId: dep.commons_id,
          service: null,
          target: { revision: rev.revision, release: rev.release, ...deployTarget(values), values, ...(dep.applied_by === 'argocd' ? { appliedBy: 'argocd' } : {}), ...restartAfter(dep) },
          principal: { actor: dep.actor, kind: dep.actor_kind, role: dep.role },
          action: 'deployment.rollout',
          detail: { deployment: dep.id, revision: rev.revision, release: rev.release },
          deadlineMs: this.d.deployDeadlineMs,
        });
      }
      const moved = await this.d.store.moveDeployment(dep.id, 'committing', { phase: 'commanded' }, { message: 'rollout queued', updated_at: new Date().toISOString() });
      if (moved) this.publish(moved);
    } catch (e) {
      this.d.log.error({ err: e, deployment: dep.id }, 'deployment could not proceed; it resumes when the control service restarts');
    }
  }

  private async fail(dep: DeploymentRow, message: string): Promise<void> {
    const at = new Date().toISOString();
    // A commit refused (or no longer possible) fails with the deployment; a commit already pushed stays pushed.
    const moved = await this.d.store.moveDeployment(dep.id, 'committing', { phase: 'failed', ...(dep.gitops_state === 'pending' ? { gitops: 'failed' as const } : {}) }, { message, updated_at: at });
    if (!moved) return;
    await this.d.store.appendAudit({
      at,
      actor: dep.actor,
      actor_kind: dep.actor_kind,
      role: dep.role,
      action: dep.kind === 'rollback' ? 'deployment.rollback' : 'deployment.apply',
      commons_id: dep.commons_id,
      service: null,
      detail_json: JSON.stringify({ deployment: dep.id, revision: dep.revision, reason: message }),
      outcome: 'failed',
      command_id: null,
    });
    this.d.log.warn({ deployment: dep.id, commons: dep.commons_id, revision: dep.revision, reason: message }, 'deployment failed before rollout');
    this.publish(moved);
  }

  // ------------------------------------------------------------------ cancel

  async cancel(id: string, principal: Principal): Promise<DeploymentView> {
    const dep = await this.d.store.getDeployment(id);
    if (!dep) throw new NotFound(`deployment ${id}`);
    const cmd = await this.d.store.getCommand(dep.command_id);
    const view = await this.viewOf(dep);
    if (dep.phase === 'failed' || (cmd && isFinal(cmd.state))) throw new Conflict('Deployment finished', `deployment ${id} is ${view.state}; nothing to cancel`);
    if (!cmd) throw new Conflict('Deployment committing', `deployment ${id} is being prepared (GitOps commit); cancel it once its rollout is queued`);
    await this.d.store.appendAudit({
      at: new Date().toISOString(),
      actor: principal.actor,
      actor_kind: principal.kind,
      role: principal.role,
      action: 'deployment.cancel',
      commons_id: dep.commons_id,
      service: null,
      detail_json: JSON.stringify({ deployment: id, revision: dep.revision }),
      outcome: 'accepted',
      command_id: cmd.id,
    });
    const moved = await this.d.commands.cancel(cmd, `cancelled by ${principal.actor}; images already applied stay (roll back to undo them)`);
    if (!moved) throw new Conflict('Deployment finished', `deployment ${id} finished before it could be cancelled`);
    return this.viewOf(dep);
  }

  // ------------------------------------------------------------------ events

  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((e: Error) => this.d.log.warn({ err: e.message }, 'deployment event not published'));
  }

  /** Publishes the deployment as it is when its turn comes: one queue, so events never go back in time. */
  private publish(dep: DeploymentRow): void {
    this.enqueue(async () => {
      const now = await this.d.store.getDeployment(dep.id);
      if (now) await this.emit(now);
    });
  }

  private async emit(dep: DeploymentRow): Promise<void> {
    const v = await this.viewOf(dep);
    this.d.events.publish({ type: 'deployment.updated', commons: v.commons, deployment: v.id, revision: v.revision, state: v.state, message: v.message, percent: v.percent, services: v.services });
  }

  private async publishByCommand(commandId: string): Promise<void> {
    const dep = await this.d.store.getDeploymentByCommand(commandId);
    if (dep) await this.emit(dep);
  }

  /** An agent came or went: deployments waiting on it change state. */
  private async publishWaiting(commonsId: string): Promise<void> {
    for (const dep of await this.d.store.listDeployments({ commons: commonsId, limit: 5 })) {
      const cmd = await this.d.store.getCommand(dep.command_id);
      if (cmd && isNotStarted(cmd.state)) await this.emit(dep);
    }
  }
}
